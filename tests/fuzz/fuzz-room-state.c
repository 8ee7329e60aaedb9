/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * Room events and the rules of a room's state. The first byte picks the
 * mode:
 *
 *   0  the rest is an encoded event: it opens or fails with an error of
 *      SOTTO_E2E_ERROR; what opens, encoded again with its signature,
 *      gives the same bytes
 *   1  the rest is a story of events, four bytes each (type, actor,
 *      subject, value), made and signed honestly by a cast of four
 *      members and the server (and, for the fourth byte's top bit, on a
 *      stale head; its next bit takes the event in the server's order,
 *      with no effect when it cannot count): the state either takes an
 *      event or refuses it unchanged, and never holds a banned member, a member of a direct
 *      chat other than its two, or more members than there are people
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define N_CAST 4
static const char *const names[N_CAST] = { "alice", "bob", "carol", "dave" };
static SottoIdentity *cast[N_CAST];
static guint8 server_pk[crypto_sign_PUBLICKEYBYTES];
static guint8 server_sk[crypto_sign_SECRETKEYBYTES];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 box_seed[32], sign_seed[32], server_seed[32];

  g_assert_cmpint (sodium_init (), >=, 0);
  for (guint i = 0; i < N_CAST; i++)
    {
      memset (box_seed, 0x10 + i, sizeof box_seed);
      memset (sign_seed, 0x20 + i, sizeof sign_seed);
      cast[i] = sotto_identity_new_from_seeds (box_seed, sign_seed);
    }
  memset (server_seed, 0x55, sizeof server_seed);
  crypto_sign_seed_keypair (server_pk, server_sk, server_seed);

  return 0;
}

static void
fuzz_open (GBytes *input)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) again = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (input, &size);

  if (!sotto_room_event_open (input, &event, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == SOTTO_E2E_ERROR);
      g_assert_null (event.room);
      return;
    }

  g_assert_no_error (error);
  again = sotto_room_event_attach_signature (&event, data + size - crypto_sign_BYTES, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, input));
}

static GBytes *
make_event (SottoRoomState     *state,
            SottoRoomEventType  type,
            guint               actor,
            const char         *subject,
            gint64              value,
            gboolean            stale)
{
  g_auto(SottoRoomEvent) event = { 0 };
  g_autoptr(GBytes) input = NULL;
  guint8 signature[crypto_sign_BYTES];
  gboolean server = type == SOTTO_ROOM_EVENT_SERVER_BAN || type == SOTTO_ROOM_EVENT_SERVER_UNBAN;

  sotto_room_state_prepare (state, &event, type, server ? "" : names[actor], subject, value);
  if (stale && event.index > 0)
    {
      event.index--;
      event.prev[0] ^= 0x80;
    }
  if (type == SOTTO_ROOM_EVENT_CREATE || type == SOTTO_ROOM_EVENT_JOIN)
    {
      event.has_identity = TRUE;
      event.identity = *sotto_identity_get_public (cast[actor]);
    }
  if (!server)
    return sotto_room_event_seal (&event, cast[actor], NULL);

  memcpy (event.actor_key, server_pk, sizeof event.actor_key);
  input = sotto_room_event_signing_input (&event, NULL);
  crypto_sign_detached (signature, NULL, g_bytes_get_data (input, NULL),
                        g_bytes_get_size (input), server_sk);
  return sotto_room_event_attach_signature (&event, signature, NULL);
}

static void
fuzz_story (const guint8 *data,
            gsize         size,
            gboolean      direct)
{
  const char *const pair[] = { "alice", "bob", NULL };
  g_autoptr(SottoRoomState) state = sotto_room_state_new (direct ? "@alice+bob" : "#fuzz",
                                                          server_pk, direct ? pair : NULL);

  for (gsize i = 0; i + 3 < size; i += 4)
    {
      SottoRoomEventType type = 1 + data[i] % SOTTO_ROOM_EVENT_SERVER_UNBAN;
      guint actor = data[i + 1] % N_CAST;
      const char *subject = data[i + 2] % (N_CAST + 1) == N_CAST
        ? NULL : names[data[i + 2] % (N_CAST + 1)];
      gint64 value = (data[i + 3] & 0x7f) % 3 == 2 ? 100 : (data[i + 3] & 0x7f) % 3 * 50;
      g_autoptr(GBytes) event = NULL;
      g_autoptr(GError) error = NULL;
      guint8 head[SOTTO_ROOM_EVENT_HASH_BYTES];
      guint64 length = sotto_room_state_get_length (state);
      g_auto(GStrv) members = NULL;

      if (type == SOTTO_ROOM_EVENT_SET_INVITE_ONLY || type == SOTTO_ROOM_EVENT_CREATE)
        value = data[i + 3] & 1;
      event = make_event (state, type, actor, subject, value, (data[i + 3] & 0x80) != 0);
      if (event == NULL)
        continue;

      memcpy (head, sotto_room_state_get_head (state), sizeof head);
      if (data[i + 3] & 0x40)
        {
          gboolean taken = FALSE;
          gboolean counts = sotto_room_state_take (state, event, &taken, &error);

          g_assert_true (counts || error->domain == SOTTO_E2E_ERROR);
          g_assert_true (!counts || taken);
          g_assert_cmpuint (sotto_room_state_get_length (state), ==, length + (taken ? 1 : 0));
          if (!taken)
            g_assert_cmpmem (sotto_room_state_get_head (state), sizeof head, head, sizeof head);
        }
      else if (sotto_room_state_apply (state, event, &error))
        g_assert_cmpuint (sotto_room_state_get_length (state), ==, length + 1);
      else
        {
          g_assert_true (error->domain == SOTTO_E2E_ERROR);
          g_assert_cmpuint (sotto_room_state_get_length (state), ==, length);
          g_assert_cmpmem (sotto_room_state_get_head (state), sizeof head, head, sizeof head);
        }

      members = sotto_room_state_dup_members (state);
      g_assert_cmpuint (g_strv_length (members), <=, N_CAST);
      for (guint m = 0; members[m] != NULL; m++)
        {
          g_assert_false (sotto_room_state_is_banned (state, members[m]));
          if (direct)
            g_assert_true (g_strv_contains (pair, members[m]));
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) input = NULL;

  if (size == 0)
    return 0;

  switch (data[0] % 3)
    {
    case 0:
      input = g_bytes_new (data + 1, size - 1);
      fuzz_open (input);
      break;
    default:
      fuzz_story (data + 1, size - 1, data[0] % 3 == 2);
      break;
    }

  return 0;
}
