/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-client-private.h"

/*
 * Prekeys: ours, made, rotated, erased and published at every login, and
 * the other members', fetched for each key we hand over, so that a key
 * box opens only with prekey secrets its recipient erases in time, not
 * with their identity key alone (sotto-prekey.c).
 */

/* A signed prekey is replaced after a week, and erased two weeks after
 * that: a box sealed to it while its recipient was away still opens. */
#define SIGNED_PREKEY_ROTATE_MS (7 * 24 * G_GINT64_CONSTANT (3600000))
#define SIGNED_PREKEY_GRACE_MS (14 * 24 * G_GINT64_CONSTANT (3600000))

/* The server is kept stocked with this many one-time prekeys, refilled
 * when it holds fewer than the low mark. */
#define ONE_TIME_TARGET 50
#define ONE_TIME_LOW 20

/* A device without prekeys is asked again this often before our key is
 * given up on: first after BUNDLE_RETRY_FIRST_MS, then twice as long each
 * time, about 25 s in all. A device just linked publishes its prekeys
 * moments after the others learn of it. */
#define MAX_BUNDLE_ATTEMPTS 8
#define BUNDLE_RETRY_FIRST_MS 100

/* Our prekey @id, for sotto_prekey_open(). */
SottoPrekey *
_sotto_client_lookup_prekey (guint32  id,
                             gboolean one_time,
                             gpointer user_data)
{
  SottoClient *self = user_data;
  g_autoptr(GError) error = NULL;
  SottoPrekey *prekey;

  if (self->store == NULL)
    return NULL;

  prekey = sotto_client_store_get_prekey (self->store, id, one_time, &error);
  if (error != NULL)
    g_warning ("Could not read a prekey: %s", error->message);
  return prekey;
}

/* A one-time prekey opened what it was for: it goes. */
void
_sotto_client_prekey_used (SottoClient *self,
                           GBytes      *box)
{
  g_autoptr(GError) error = NULL;
  guint32 one_time_id = 0;

  if (!sotto_prekey_box_peek (box, NULL, &one_time_id, NULL) || one_time_id == 0)
    return;
  if (!sotto_client_store_forget_prekey (self->store, one_time_id, TRUE, &error))
    g_warning ("Could not erase a used prekey: %s", error->message);
}

typedef struct
{
  GBytes *bundle;
  GPtrArray *one_time;
} Publish;

static GBytes *
build_publish (const char *id,
               gpointer    data)
{
  Publish *publish = data;

  return sotto_msg_build_publish_prekeys (id, publish->bundle,
                                          (GBytes * const *) publish->one_time->pdata,
                                          publish->one_time->len);
}

/* Makes @n new one-time prekeys, keeps them, and publishes them. */
static void
refill_one_time (SottoClient *self,
                 guint        n)
{
  g_autoptr(GError) error = NULL;
  Publish publish = { NULL, g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  gint64 now = g_get_real_time () / 1000;
  guint32 highest = 0;
  guint count = 0;

  if (!sotto_client_store_count_prekeys (self->store, TRUE, &count, &highest, &error))
    {
      g_warning ("Could not count the prekeys: %s", error->message);
      g_ptr_array_unref (publish.one_time);
      return;
    }

  for (guint i = 0; i < n && highest < G_MAXUINT32; i++)
    {
      g_autoptr(SottoPrekey) prekey = sotto_prekey_new (++highest, now);

      if (!sotto_client_store_add_prekey (self->store, prekey, TRUE, &error))
        {
          g_warning ("Could not keep a prekey: %s", error->message);
          break;
        }
      g_ptr_array_add (publish.one_time, sotto_prekey_one_time_encode (prekey));
    }

  if (publish.one_time->len > 0)
    _sotto_client_send_logged (self, build_publish, &publish, "publish one-time prekeys");
  g_ptr_array_unref (publish.one_time);
}

static void
published_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SottoClient) self = user_data;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 left;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_info ("Could not publish the prekeys: %s", error->message);
      return;
    }
  if (self->store == NULL)
    return;

  left = sotto_msg_get_int (reply, "one_time_left");
  if (left < ONE_TIME_LOW)
    refill_one_time (self, (guint) (ONE_TIME_TARGET - MAX (left, 0)));
}

/**
 * _sotto_client_publish_prekeys:
 *
 * At login: a signed prekey made or rotated as its time is up, retired
 * ones past their grace time erased, the bundle published, and one-time
 * prekeys refilled when the server runs low.
 */
void
_sotto_client_publish_prekeys (SottoClient *self)
{
  g_autoptr(SottoPrekey) current = NULL;
  g_autoptr(GBytes) request = NULL;
  Publish publish;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 now = g_get_real_time () / 1000;

  current = sotto_client_store_get_signed_prekey (self->store, &error);
  if (error != NULL)
    {
      g_warning ("Could not read the prekeys: %s", error->message);
      return;
    }

  if (current == NULL || now - sotto_prekey_get_created_at (current) > SIGNED_PREKEY_ROTATE_MS)
    {
      guint32 highest = 0;
      guint count = 0;

      g_clear_object (&current);
      if (!sotto_client_store_count_prekeys (self->store, FALSE, &count, &highest, &error) ||
          !sotto_client_store_retire_signed_prekeys (self->store, now, &error))
        {
          g_warning ("Could not rotate the prekeys: %s", error->message);
          return;
        }
      current = sotto_prekey_new (highest < G_MAXUINT32 ? highest + 1 : 1, now);
      if (!sotto_client_store_add_prekey (self->store, current, FALSE, &error))
        {
          g_warning ("Could not keep a prekey: %s", error->message);
          return;
        }
    }

  if (!sotto_client_store_erase_retired_prekeys (self->store, now - SIGNED_PREKEY_GRACE_MS,
                                                 &error))
    g_warning ("Could not erase old prekeys: %s", error->message);

  publish.bundle = sotto_prekey_bundle_make (self->identity, current, NULL);
  publish.one_time = none;
  id = sotto_connection_next_id (self->connection);
  request = build_publish (id, &publish);
  g_bytes_unref (publish.bundle);
  sotto_connection_request_async (self->connection, id, request, self->cancellable,
                                  published_cb, g_object_ref (self));
}

/* One box of our key for one device of a member (or of our own account):
 * @identity is the device's, @account the member's as the room confirmed
 * it when the handover began. */
typedef struct
{
  SottoClient         *self;
  char                *room;
  char                *to;
  SottoPublicIdentity  identity;
  SottoPublicIdentity  account;
  SottoSenderKey      *key;
  guint64              next_counter;
  GBytes              *box;
  guint                attempts;
} Handover;

static void
handover_free (Handover *handover)
{
  g_clear_object (&handover->self);
  g_free (handover->room);
  g_free (handover->to);
  g_clear_object (&handover->key);
  g_clear_pointer (&handover->box, g_bytes_unref);
  g_free (handover);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Handover, handover_free)

/* Frees a queue of handovers waiting for the one in flight. */
void
_sotto_client_free_handovers (gpointer queue)
{
  g_queue_free_full (queue, (GDestroyNotify) handover_free);
}

static GBytes *
build_send_key (const char *id,
                gpointer    data)
{
  Handover *handover = data;
  g_autoptr(GBytes) device = g_bytes_new (handover->identity.sign_pk,
                                          sizeof handover->identity.sign_pk);

  return sotto_msg_build_send_key (id, handover->to, device, handover->room, handover->box);
}

static GBytes *
build_get_prekeys (const char *id,
                   gpointer    data)
{
  Handover *handover = data;
  g_autoptr(GBytes) device = g_bytes_new (handover->identity.sign_pk,
                                          sizeof handover->identity.sign_pk);

  return sotto_msg_build_get_prekeys (id, handover->to, device);
}

/* Handovers to one device leave in order, one at a time. */
static char *
handover_name (Handover *handover)
{
  g_autofree char *device = g_base64_encode (handover->identity.sign_pk,
                                             sizeof handover->identity.sign_pk);

  return g_strconcat (handover->room, "\n", handover->to, "\n", device, NULL);
}

static void bundle_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data);

static void fetch_bundle (Handover *handover);

static gboolean
retry_fetch_cb (gpointer user_data)
{
  Handover *handover = user_data;

  if (handover->self->store == NULL)
    handover_free (handover);
  else
    fetch_bundle (handover);
  return G_SOURCE_REMOVE;
}

static void
fetch_bundle (Handover *handover)
{
  SottoClient *self = handover->self;
  g_autofree char *id = sotto_connection_next_id (self->connection);
  g_autoptr(GBytes) request = build_get_prekeys (id, handover);

  sotto_connection_request_async (self->connection, id, request, self->cancellable, bundle_cb,
                                  handover);
}

/* The handover to the same member that waited for this one goes next:
 * boxes leave in the order they were made, so that a member never gets a
 * later state of a key before an earlier one. */
static void
next_handover (SottoClient *self,
               Handover    *done)
{
  g_autofree char *name = handover_name (done);
  GQueue *waiting = g_hash_table_lookup (self->handovers, name);
  Handover *next;

  if (waiting == NULL)
    return;
  next = g_queue_pop_head (waiting);
  if (next == NULL)
    g_hash_table_remove (self->handovers, name);
  else
    fetch_bundle (next);
}

/* Seals the key to the bundle in @reply, or says why not. */
static void
seal_and_send (Handover     *handover,
               SottoMsg     *reply,
               const GError *error)
{
  SottoClient *self = handover->self;
  g_autoptr(GBytes) bundle_bytes = NULL;
  g_autoptr(GBytes) one_time = NULL;
  SottoPrekeyBundle bundle;
  SottoRoom *room;
  SottoMember *member;

  /* Things moved while the bundle was on its way: they left, their keys
   * changed, or the room no longer confirms them. */
  room = sotto_client_lookup_room (self, handover->room);
  member = room != NULL ? sotto_room_lookup_member (room, handover->to) : NULL;
  if (member == NULL ||
      sotto_member_get_standing (member) != SOTTO_MEMBER_STANDING_CONFIRMED ||
      sotto_member_get_review (member) == SOTTO_IDENTITY_REVIEW_BLOCKING ||
      !sotto_public_identity_equal (sotto_member_get_identity (member), &handover->account))
    {
      g_info ("Not handing the key of %s to %s: no longer confirmed with those keys",
              handover->room, handover->to);
      return;
    }

  if (reply == NULL)
    {
      g_info ("Could not fetch the prekeys of %s: %s", handover->to, error->message);
      return;
    }
  else
    {
      g_autoptr(GError) bad = NULL;

      bundle_bytes = sotto_msg_dup_bytes (reply, "bundle");
      if (bundle_bytes == NULL || !sotto_prekey_bundle_decode (bundle_bytes, &bundle, &bad))
        {
          g_info ("The prekeys of %s are not usable: %s", handover->to,
                  bad != NULL ? bad->message : "none given");
          return;
        }
      /* Only the keys the room confirmed for them: a bundle of other
       * keys is the server's, not theirs. */
      if (!sotto_public_identity_equal (&bundle.identity, &handover->identity))
        {
          g_info ("The server gave prekeys of other keys for %s; not handing the key over",
                  handover->to);
          return;
        }
      one_time = sotto_msg_dup_bytes (reply, "one_time");
      if (one_time != NULL && !sotto_prekey_bundle_add_one_time (&bundle, one_time, &bad))
        g_info ("A one-time prekey of %s is not usable: %s", handover->to, bad->message);
      g_clear_error (&bad);
      handover->box = sotto_sender_key_seal_to_bundle (handover->key, handover->room,
                                                       handover->next_counter, self->identity,
                                                       self->user, &bundle, &bad);
      if (handover->box == NULL)
        {
          g_warning ("Could not seal the key of %s for %s: %s", handover->room, handover->to,
                     bad->message);
          return;
        }
    }

  if (handover->box == NULL)
    return;
  _sotto_client_send_logged (self, build_send_key, handover, "hand over a sender key");
}

/* The recipient's bundle came: the key is sealed to it and sent, and the
 * next handover to them goes. */
static void
bundle_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Handover) handover = user_data;
  SottoClient *self = handover->self;
  g_autoptr(SottoMsg) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sotto_connection_request_finish (SOTTO_CONNECTION (object), result, &error);
  if (self->store == NULL || self->identity == NULL)
    return;

  /* No prekeys yet: a newcomer's first login publishes them a moment
   * later. The key never goes in a box their identity key alone opens:
   * the server could answer so to have it. */
  if (reply == NULL && sotto_client_error_is_server (error, SOTTO_MSG_ERROR_CODE_NO_PREKEYS) &&
      handover->attempts < MAX_BUNDLE_ATTEMPTS)
    {
      guint delay = BUNDLE_RETRY_FIRST_MS << handover->attempts;

      handover->attempts++;
      g_timeout_add (delay, retry_fetch_cb, g_steal_pointer (&handover));
      return;
    }

  seal_and_send (handover, reply, error);
  next_handover (self, handover);
}

/* Queues a box of @exported for one device. */
static void
hand_over (SottoClient               *self,
           const char                *room,
           const char                *to,
           const SottoPublicIdentity *account,
           const SottoPublicIdentity *device,
           GBytes                    *exported,
           guint64                    next_counter)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  Handover *handover = g_new0 (Handover, 1);
  GQueue *waiting;

  handover->self = g_object_ref (self);
  handover->room = g_strdup (room);
  handover->to = g_strdup (to);
  handover->identity = *device;
  handover->account = *account;
  handover->next_counter = next_counter;
  handover->key = sotto_sender_key_import (exported, &error);
  if (handover->key == NULL)
    {
      g_warning ("Could not copy the key of %s: %s", handover->room, error->message);
      handover_free (handover);
      return;
    }

  name = handover_name (handover);
  waiting = g_hash_table_lookup (self->handovers, name);
  if (waiting != NULL)
    {
      g_queue_push_tail (waiting, handover);
      return;
    }

  g_hash_table_insert (self->handovers, g_steal_pointer (&name), g_queue_new ());
  fetch_bundle (handover);
}

/* What a handover waits on while the member's devices are fetched. */
typedef struct
{
  char                *room;
  SottoPublicIdentity  account;
  GBytes              *exported;
  guint64              next_counter;
  /* One device only, or all of them. */
  gboolean             one;
  guint8               device[32];
} ToDevices;

static void
to_devices_free (ToDevices *to)
{
  g_free (to->room);
  g_bytes_unref (to->exported);
  g_free (to);
}

/* Boxes for each device of @list: all but this computer, or the one
 * asked for. An account with no list signed by its identity gets its box
 * sealed to that identity, as before there were devices; not ours. */
static void
hand_over_to_devices (SottoClient     *self,
                      const char      *user,
                      SottoDeviceList *list,
                      ToDevices       *to)
{
  const guint8 *own = sotto_identity_get_public (self->identity)->sign_pk;
  gboolean ours = g_strcmp0 (user, self->user) == 0;

  if (list == NULL)
    {
      if (!ours && (!to->one || memcmp (to->device, to->account.sign_pk, 32) == 0))
        hand_over (self, to->room, user, &to->account, &to->account, to->exported,
                   to->next_counter);
      return;
    }

  for (guint i = 0; i < sotto_device_list_get_n_devices (list); i++)
    {
      const SottoDevice *device = sotto_device_list_get_device (list, i);

      if (memcmp (device->identity.sign_pk, own, 32) == 0 ||
          (to->one && memcmp (device->identity.sign_pk, to->device, 32) != 0))
        continue;
      hand_over (self, to->room, user, &to->account, &device->identity, to->exported,
                 to->next_counter);
    }
}

static void
devices_known_cb (SottoClient     *self,
                  const char      *user,
                  SottoDeviceList *list,
                  gpointer         data)
{
  hand_over_to_devices (self, user, list, data);
}

/**
 * _sotto_client_send_key_box:
 * @key: our key as it is to be handed over (copied now)
 * @next_counter: the counter our next message in @room carries
 * @device: (nullable) (array fixed-size=32): the one device of @member to
 *   hand it to, or %NULL for all of them
 *
 * Sends @key in a box sealed to the prekeys of each device of @member
 * (our own other devices when @member is us), as their account's signed
 * device list names them; a device we do not know of yet gets it once the
 * list is fetched again.
 */
void
_sotto_client_send_key_box (SottoClient    *self,
                            SottoRoom      *room,
                            SottoSenderKey *key,
                            guint64         next_counter,
                            SottoMember    *member,
                            const guint8   *device)
{
  const char *user = sotto_member_get_user (member);
  const SottoPublicIdentity *account = sotto_member_get_identity (member);
  g_autoptr(SottoDeviceList) list = _sotto_client_lookup_devices (self, user, account);
  ToDevices *to = g_new0 (ToDevices, 1);

  to->room = g_strdup (sotto_room_get_name (room));
  to->account = *account;
  to->exported = sotto_sender_key_export (key);
  to->next_counter = next_counter;
  to->one = device != NULL;
  if (device != NULL)
    memcpy (to->device, device, sizeof to->device);

  /* A list we hold serves, unless the one device asked for is not on it:
   * then the list may be newer than ours. */
  if (list != NULL && (device == NULL || _sotto_client_find_device (list, device) != NULL))
    {
      hand_over_to_devices (self, user, list, to);
      to_devices_free (to);
      return;
    }

  _sotto_client_fetch_devices (self, user, account, devices_known_cb, to,
                               (GDestroyNotify) to_devices_free);
}
