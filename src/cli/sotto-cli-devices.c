/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sotto-cli-devices.h"
#include "sotto-cli-format.h"
#include "sotto-cli-print.h"

/*
 * The account's devices: `sotto-cli --user NAME devices` lists them, one
 * a line, `remove-device ID` takes one off the account and `rename-device
 * ID NEW-NAME` renames one. A device is named by the first digits of its
 * signing key, as the listing prints them: any part of the key from its
 * start names it, as long as no other device's starts the same way. The
 * listing goes to standard output; what is for a person, to standard
 * error.
 */

struct _SottoCliDevices
{
  GObject       parent_instance;

  SottoClient  *client;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (SottoCliDevices, sotto_cli_devices, G_TYPE_OBJECT)

static void
sotto_cli_devices_dispose (GObject *object)
{
  SottoCliDevices *self = SOTTO_CLI_DEVICES (object);

  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_devices_parent_class)->dispose (object);
}

static void
sotto_cli_devices_finalize (GObject *object)
{
  SottoCliDevices *self = SOTTO_CLI_DEVICES (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_cli_devices_parent_class)->finalize (object);
}

static void
sotto_cli_devices_class_init (SottoCliDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_devices_dispose;
  object_class->finalize = sotto_cli_devices_finalize;
}

static void
sotto_cli_devices_init (SottoCliDevices *self)
{
}

/**
 * sotto_cli_devices_new:
 * @cancellable: the run's; cancelled when the run ends
 */
SottoCliDevices *
sotto_cli_devices_new (SottoClient  *client,
                       GCancellable *cancellable)
{
  SottoCliDevices *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_DEVICES, NULL);
  self->client = g_object_ref (client);
  self->cancellable = g_object_ref (cancellable);

  return self;
}

/* One command, until it is told. */
typedef struct
{
  SottoCliDevices     *devices;
  char                *id;
  char                *name;
  char                *shown;
  gboolean             remove;
  gboolean             json;
  SottoCliDevicesDone  done;
  gpointer             user_data;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->devices);
  g_free (call->id);
  g_free (call->name);
  g_free (call->shown);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static Call *
call_new (SottoCliDevices     *self,
          SottoCliDevicesDone  done,
          gpointer             user_data)
{
  Call *call = g_new0 (Call, 1);

  call->devices = g_object_ref (self);
  call->done = done;
  call->user_data = user_data;
  return call;
}

static void
call_done (Call *call,
           int   status)
{
  call->done (call->devices, status, call->user_data);
}

/* Says why @call failed, and ends it with @status. */
static void
call_fail (Call       *call,
           int         status,
           const char *text)
{
  g_printerr ("sotto-cli: %s\n", text);
  call_done (call, status);
}

/* Returns: whether the run goes on */
static gboolean
call_check (Call         *call,
            const GError *error)
{
  if (g_cancellable_is_cancelled (call->devices->cancellable))
    return FALSE;
  if (error == NULL)
    return TRUE;

  /* A name the device list does not take is a bad argument. */
  call_fail (call, g_error_matches (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT)
                   ? SOTTO_CLI_EXIT_USAGE
                   : sotto_cli_exit_for_error (error, SOTTO_CLI_PHASE_REQUEST),
             error->message);
  return FALSE;
}

/* When, in local time, as "bans" prints it. */
static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ms / 1000);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* @text padded with spaces to @width characters. */
static char *
pad (const char *text,
     glong       width)
{
  glong length = g_utf8_strlen (text, -1);
  GString *padded = g_string_new (text);

  for (glong i = length; i < width; i++)
    g_string_append_c (padded, ' ');
  return g_string_free (padded, FALSE);
}

static void
print_json (SottoDeviceInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, sotto_device_info_get_id (info));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, sotto_device_info_get_name (info));
  json_builder_set_member_name (builder, "added");
  json_builder_add_int_value (builder, sotto_device_info_get_added (info));
  json_builder_set_member_name (builder, "last_seen");
  json_builder_add_int_value (builder, sotto_device_info_get_last_seen (info));
  json_builder_set_member_name (builder, "online");
  json_builder_add_boolean_value (builder, sotto_device_info_get_online (info));
  json_builder_set_member_name (builder, "this");
  json_builder_add_boolean_value (builder, sotto_device_info_get_this_device (info));
  json_builder_end_object (builder);
  sotto_cli_print_json (builder);
}

/* One line a device: "ID  NAME  added WHEN  last seen WHEN", or "online
 * now", and "(this computer)" after this one. */
static void
print_devices (GListModel *devices,
               gboolean    json)
{
  guint n = g_list_model_get_n_items (devices);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  glong width = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);
      char *name = sotto_cli_sanitize (sotto_device_info_get_name (info), " ");

      width = MAX (width, g_utf8_strlen (name, -1));
      g_ptr_array_add (names, name);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);
      g_autofree char *id = sotto_device_info_dup_short_id (info);
      g_autofree char *name = NULL;
      g_autofree char *added = NULL;
      g_autofree char *added_text = NULL;
      g_autofree char *seen = NULL;

      if (json)
        {
          print_json (info);
          continue;
        }

      name = pad (g_ptr_array_index (names, i), width);
      added = format_time (sotto_device_info_get_added (info));
      /* Translators: when a device became one of the account's */
      added_text = g_strdup_printf (_("added %s"), added);
      if (sotto_device_info_get_online (info))
        seen = g_strdup (_("online now"));
      else if (sotto_device_info_get_last_seen (info) > 0)
        {
          g_autofree char *when = format_time (sotto_device_info_get_last_seen (info));

          /* Translators: when a device was last connected */
          seen = g_strdup_printf (_("last seen %s"), when);
        }
      else
        seen = g_strdup (_("never seen"));

      if (sotto_device_info_get_this_device (info))
        g_print ("%s  %s  %s  %s  %s\n", id, name, added_text, seen, _("(this computer)"));
      else
        g_print ("%s  %s  %s  %s\n", id, name, added_text, seen);
    }
}

/* The device of @devices that @call's ID names, or %NULL, said why. */
static SottoDeviceInfo *
find_device (Call       *call,
             GListModel *devices)
{
  const char *user = sotto_client_get_user (call->devices->client);
  SottoDeviceInfo *found = NULL;
  guint matches = 0;

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(SottoDeviceInfo) info = g_list_model_get_item (devices, i);

      if (g_str_has_prefix (sotto_device_info_get_id (info), call->id))
        {
          found = info;
          matches++;
        }
    }

  if (matches == 1)
    return found;

  if (matches == 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("%s has no device with the ID %s; “sotto-cli --user %s "
                                "devices” lists them"), user, call->id, user);
      call_fail (call, SOTTO_CLI_EXIT_REFUSED, text);
    }
  else
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("The ID %s names more than one device of %s: give more of it"),
                              call->id, user);
      call_fail (call, SOTTO_CLI_EXIT_USAGE, text);
    }
  return NULL;
}

static void
changed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  const char *user = sotto_client_get_user (call->devices->client);

  if (call->remove)
    sotto_client_remove_device_finish (SOTTO_CLIENT (object), result, &error);
  else
    sotto_client_rename_device_finish (SOTTO_CLIENT (object), result, &error);
  if (!call_check (call, error))
    return;

  if (call->remove)
    g_printerr (_("Removed “%s” from the devices of %s: it reads nothing said from now on, "
                  "and is signed out.\n"), call->shown, user);
  else
    {
      g_autofree char *name = sotto_cli_sanitize (call->name, " ");

      g_printerr (_("Renamed “%s” to “%s”.\n"), call->shown, g_strstrip (name));
    }
  call_done (call, SOTTO_CLI_EXIT_OK);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) error = NULL;
  SottoDeviceInfo *device;
  SottoCliDevices *self = call->devices;

  devices = sotto_client_list_devices_finish (SOTTO_CLIENT (object), result, &error);
  if (!call_check (call, error))
    return;

  if (call->id == NULL)
    {
      print_devices (devices, call->json);
      call_done (call, SOTTO_CLI_EXIT_OK);
      return;
    }

  device = find_device (call, devices);
  if (device == NULL)
    return;

  call->shown = sotto_cli_sanitize (sotto_device_info_get_name (device), " ");
  if (call->remove)
    sotto_client_remove_device_async (self->client, sotto_device_info_get_sign_key (device),
                                      self->cancellable, changed_cb, g_steal_pointer (&call));
  else
    {
      const char *name = call->name;

      sotto_client_rename_device_async (self->client, sotto_device_info_get_sign_key (device),
                                        name, self->cancellable, changed_cb,
                                        g_steal_pointer (&call));
    }
}

/**
 * sotto_cli_devices_list:
 * @json: one JSON object a line, with id (the whole signing key in
 *   hexadecimal), name, added and last_seen (ms since the epoch, 0 for
 *   never), online and this
 *
 * Lists the account's devices, this computer first.
 */
void
sotto_cli_devices_list (SottoCliDevices     *self,
                        gboolean             json,
                        SottoCliDevicesDone  done,
                        gpointer             user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_DEVICES (self));
  g_return_if_fail (done != NULL);

  call = call_new (self, done, user_data);
  call->json = json;
  sotto_client_list_devices_async (self->client, self->cancellable, listed_cb, call);
}

/* Starts @call about the device named by @id, once the devices are
 * listed; an ID that is no hexadecimal ends it at once. */
static void
start_with_id (Call       *call,
               const char *id)
{
  SottoCliDevices *self = call->devices;

  call->id = g_ascii_strdown (id, -1);
  for (const char *p = call->id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      {
        g_autofree char *text = g_strdup_printf (_("“%s” is not a device ID: it is the first "
                                                   "digits of one, as “devices” prints them"),
                                                 id);

        call_fail (call, SOTTO_CLI_EXIT_USAGE, text);
        call_free (call);
        return;
      }

  if (call->id[0] == '\0')
    {
      call_fail (call, SOTTO_CLI_EXIT_USAGE, _("Name the device by its ID"));
      call_free (call);
      return;
    }

  sotto_client_list_devices_async (self->client, self->cancellable, listed_cb, call);
}

/**
 * sotto_cli_devices_remove:
 * @id: the start of the device's ID, as "devices" prints it
 *
 * Removes one of the account's other devices: it reads nothing said from
 * then on, and is signed out.
 */
void
sotto_cli_devices_remove (SottoCliDevices     *self,
                          const char          *id,
                          SottoCliDevicesDone  done,
                          gpointer             user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_DEVICES (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (done != NULL);

  call = call_new (self, done, user_data);
  call->remove = TRUE;
  start_with_id (call, id);
}

/**
 * sotto_cli_devices_rename:
 * @id: the start of the device's ID, as "devices" prints it
 * @name: its new name
 *
 * Renames one of the account's devices, this computer too.
 */
void
sotto_cli_devices_rename (SottoCliDevices     *self,
                          const char          *id,
                          const char          *name,
                          SottoCliDevicesDone  done,
                          gpointer             user_data)
{
  Call *call;

  g_return_if_fail (SOTTO_IS_CLI_DEVICES (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (done != NULL);

  call = call_new (self, done, user_data);
  call->name = g_strdup (name);
  start_with_id (call, id);
}
