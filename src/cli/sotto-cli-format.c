/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "sotto-cli-format.h"
#include "sotto-client-error.h"
#include "sotto-wire-error.h"

/*
 * What sotto-cli prints, kept apart from the I/O so it can be tested: the
 * lines a person reads, the JSON lines a script reads, and the exit status
 * for an error.
 */

/**
 * sotto_cli_exit_for_error:
 * @phase: what was under way
 *
 * Returns: the exit status that says what failed
 */
SottoCliExit
sotto_cli_exit_for_error (const GError  *error,
                          SottoCliPhase  phase)
{
  if (error == NULL)
    return SOTTO_CLI_EXIT_OK;

  if (error->domain == G_OPTION_ERROR)
    return SOTTO_CLI_EXIT_USAGE;

  if (error->domain == SOTTO_WIRE_ERROR)
    {
      if (error->code == SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN ||
          error->code == SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED)
        return SOTTO_CLI_EXIT_SERVER_KEY;
      return SOTTO_CLI_EXIT_CONNECT;
    }

  if (error->domain == SOTTO_CLIENT_ERROR)
    {
      switch ((int) sotto_client_error_to_server (error))
        {
        case -1:
          break;
        case SOTTO_MSG_ERROR_CODE_NOT_LOGGED_IN:
        case SOTTO_MSG_ERROR_CODE_ALREADY_LOGGED_IN:
        case SOTTO_MSG_ERROR_CODE_NAME_TAKEN:
        case SOTTO_MSG_ERROR_CODE_BAD_USERNAME:
        case SOTTO_MSG_ERROR_CODE_WEAK_PASSWORD:
        case SOTTO_MSG_ERROR_CODE_BAD_CREDENTIALS:
          return SOTTO_CLI_EXIT_ACCOUNT;
        case SOTTO_MSG_ERROR_CODE_RATE_LIMITED:
          return phase == SOTTO_CLI_PHASE_ACCOUNT ? SOTTO_CLI_EXIT_ACCOUNT
                                                  : SOTTO_CLI_EXIT_REFUSED;
        default:
          return SOTTO_CLI_EXIT_REFUSED;
        }

      switch (error->code)
        {
        case SOTTO_CLIENT_ERROR_RESOLVE:
        case SOTTO_CLIENT_ERROR_REFUSED:
        case SOTTO_CLIENT_ERROR_DISCONNECTED:
          return SOTTO_CLI_EXIT_CONNECT;
        case SOTTO_CLIENT_ERROR_BAD_ADDRESS:
          return SOTTO_CLI_EXIT_USAGE;
        case SOTTO_CLIENT_ERROR_IDENTITY_CHANGED:
          return SOTTO_CLI_EXIT_IDENTITY_CHANGED;
        case SOTTO_CLIENT_ERROR_TIMED_OUT:
          return phase == SOTTO_CLI_PHASE_CONNECT ? SOTTO_CLI_EXIT_CONNECT
                                                  : SOTTO_CLI_EXIT_TIMEOUT;
        default:
          break;
        }
    }

  switch (phase)
    {
    case SOTTO_CLI_PHASE_CONNECT:
      return SOTTO_CLI_EXIT_CONNECT;
    case SOTTO_CLI_PHASE_ACCOUNT:
      return SOTTO_CLI_EXIT_ACCOUNT;
    case SOTTO_CLI_PHASE_REQUEST:
    default:
      return SOTTO_CLI_EXIT_REFUSED;
    }
}

static char *
fingerprint_normalize (const char *fingerprint)
{
  GString *out = g_string_new (NULL);

  for (const char *p = fingerprint; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, g_ascii_toupper (*p));

  return g_string_free (out, FALSE);
}

/**
 * sotto_cli_fingerprint_equal:
 *
 * Compares two server fingerprints as a person would read them: spaces
 * and case do not count.
 */
gboolean
sotto_cli_fingerprint_equal (const char *a,
                             const char *b)
{
  g_autofree char *norm_a = NULL;
  g_autofree char *norm_b = NULL;

  if (a == NULL || b == NULL)
    return FALSE;

  norm_a = fingerprint_normalize (a);
  norm_b = fingerprint_normalize (b);

  return norm_a[0] != '\0' && g_str_equal (norm_a, norm_b);
}

/* Characters that would let a sender move the cursor, recolour or clear
 * the terminal, or reorder what is shown around the text. */
static gboolean
is_unsafe_for_terminal (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/**
 * sotto_cli_sanitize:
 * @text: UTF-8 from someone else
 * @continuation: what starts each line after a line break in @text
 *
 * Returns: @text safe to write to a terminal: control characters and
 *   direction overrides become U+FFFD, tabs spaces.
 */
char *
sotto_cli_sanitize (const char *text,
                    const char *continuation)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8 after all: nothing more of it is shown. */
          g_string_append_unichar (out, 0xFFFD);
          break;
        }
      else if (c == '\n')
        {
          g_string_append_c (out, '\n');
          g_string_append (out, continuation);
        }
      else if (c == '\t')
        g_string_append_c (out, ' ');
      else if (is_unsafe_for_terminal (c))
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/**
 * sotto_cli_message_is_printable:
 *
 * Returns: whether @message is settled: readable, or known to be
 *   unreadable for good. One still sending or waiting for its sender's key
 *   is not, yet.
 */
gboolean
sotto_cli_message_is_printable (SottoMessage *message)
{
  switch (sotto_message_get_state (message))
    {
    case SOTTO_MESSAGE_SENT:
    case SOTTO_MESSAGE_RECEIVED:
    case SOTTO_MESSAGE_UNVERIFIABLE:
    case SOTTO_MESSAGE_SYSTEM:
      return TRUE;
    case SOTTO_MESSAGE_SENDING:
    case SOTTO_MESSAGE_WAITING_FOR_KEY:
    default:
      return FALSE;
    }
}

const char *
sotto_cli_message_state_name (SottoMessageState state)
{
  switch (state)
    {
    case SOTTO_MESSAGE_SENDING:
      return "sending";
    case SOTTO_MESSAGE_SENT:
      return "sent";
    case SOTTO_MESSAGE_RECEIVED:
      return "received";
    case SOTTO_MESSAGE_WAITING_FOR_KEY:
      return "waiting_for_key";
    case SOTTO_MESSAGE_UNVERIFIABLE:
      return "unverifiable";
    case SOTTO_MESSAGE_SYSTEM:
      return "system";
    default:
      return "unknown";
    }
}

/* Only a message that is settled and was not refused shows its text. */
static const char *
readable_text (SottoMessage *message)
{
  switch (sotto_message_get_state (message))
    {
    case SOTTO_MESSAGE_SENDING:
    case SOTTO_MESSAGE_SENT:
    case SOTTO_MESSAGE_RECEIVED:
    case SOTTO_MESSAGE_SYSTEM:
      return sotto_message_get_text (message);
    case SOTTO_MESSAGE_WAITING_FOR_KEY:
    case SOTTO_MESSAGE_UNVERIFIABLE:
    default:
      return NULL;
    }
}

static char *
format_time (gint64 ts_ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (ts_ms > 0)
    time = g_date_time_new_from_unix_local (ts_ms / 1000);
  if (time == NULL)
    time = g_date_time_new_now_local ();

  return g_date_time_format (time, "%H:%M");
}

/**
 * sotto_cli_format_file:
 *
 * Returns: what a person reads of a file a message sends: "report.pdf
 *   (1.2 MB, application/pdf)", "cat.png (84.2 kB, image/png, 640×480)"
 *   for an image; made safe for a terminal
 */
char *
sotto_cli_format_file (const SottoFileMessage *file)
{
  g_autofree char *name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *size = NULL;

  g_return_val_if_fail (file != NULL, NULL);

  name = sotto_cli_sanitize (file->name != NULL ? file->name : "", " ");
  type = sotto_cli_sanitize (file->type != NULL ? file->type : "", " ");
  size = g_format_size (file->size);
  if (file->width > 0 && file->height > 0)
    /* Translators: a file's name, then its size, media type, and an
     * image's width and height in pixels */
    return g_strdup_printf (_("%s (%s, %s, %u×%u)"), name, size, type, file->width,
                            file->height);

  /* Translators: a file's name, then its size and media type */
  return g_strdup_printf (_("%s (%s, %s)"), name, size, type);
}

/* The lines after @message that say the server held it back or
 * backdated it. */
static void
append_arrival_notes (GString      *out,
                      SottoMessage *message)
{
  const char *late = sotto_message_get_late_text (message);
  g_autofree char *backdated = sotto_message_dup_backdated_text (message, "%Y-%m-%d %H:%M");

  if (late != NULL)
    g_string_append_printf (out, "\n*** %s", late);
  if (backdated != NULL)
    g_string_append_printf (out, "\n*** %s", backdated);
}

/* A reply, an edit, a deletion or a reaction, on one line. */
static void
append_action (GString      *out,
               const char   *prefix,
               SottoMessage *message)
{
  const SottoMessageAction *action = sotto_message_get_action (message);
  const char *sender = sotto_message_get_sender (message);
  const char *target = action->target.sender;
  g_autofree char *text = sotto_cli_sanitize (action->text != NULL ? action->text : "", "    ");
  g_autofree char *excerpt = sotto_cli_sanitize (action->excerpt != NULL ? action->excerpt : "",
                                                 "");
  g_autofree char *reaction = sotto_cli_sanitize (action->reaction != NULL ? action->reaction
                                                                          : "", "");

  switch (action->type)
    {
    case SOTTO_MESSAGE_BODY_REPLY:
      /* Translators: the time, who answers, whom, the start of what they
       * answer, then the answer */
      g_string_append_printf (out, _("%s %s (to %s: “%s”): %s"), prefix, sender, target, excerpt,
                              text);
      break;
    case SOTTO_MESSAGE_BODY_EDIT:
      /* Translators: the time, who, then the new text */
      g_string_append_printf (out, _("%s %s edited a message: %s"), prefix, sender, text);
      break;
    case SOTTO_MESSAGE_BODY_DELETE:
      if (g_strcmp0 (sender, target) == 0)
        /* Translators: the time, then who */
        g_string_append_printf (out, _("%s %s deleted a message"), prefix, sender);
      else
        /* Translators: the time, who, then whose message */
        g_string_append_printf (out, _("%s %s deleted a message of %s"), prefix, sender, target);
      break;
    case SOTTO_MESSAGE_BODY_REACTION:
      if (action->removed)
        /* Translators: the time, who, the reaction (an emoji), then whose
         * message */
        g_string_append_printf (out, _("%s %s took back %s from a message of %s"), prefix,
                                sender, reaction, target);
      else
        /* Translators: the time, who, the reaction (an emoji), then whose
         * message */
        g_string_append_printf (out, _("%s %s reacted %s to a message of %s"), prefix, sender,
                                reaction, target);
      break;
    default:
      break;
    }
}

/**
 * sotto_cli_format_message:
 * @room_label: (nullable): shown before the sender, for a message of a
 *   room other than the one the user is in
 *
 * Returns: (nullable): "HH:MM sender: text", with the text made safe for
 *   a terminal, or "HH:MM sender sent a file: " and the file as
 *   sotto_cli_format_file() gives it; a marker instead of the text for a
 *   message that could not be verified; %NULL for a message that is not
 *   settled yet. Lines starting "***" before it say which messages of its
 *   sender never came before it, and after it that it came late or was
 *   backdated.
 */
char *
sotto_cli_format_message (SottoMessage *message,
                          const char   *room_label)
{
  g_autofree char *time = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *body = NULL;
  g_autofree char *missing = NULL;
  GString *out;
  const char *text;

  if (!sotto_cli_message_is_printable (message))
    return NULL;

  time = format_time (sotto_message_get_ts (message));
  if (room_label != NULL)
    prefix = g_strdup_printf ("%s [%s]", time, room_label);
  else
    prefix = g_strdup (time);

  if (sotto_message_get_state (message) == SOTTO_MESSAGE_SYSTEM)
    {
      text = readable_text (message);
      body = sotto_cli_sanitize (text != NULL ? text : "", "    ");
      return g_strdup_printf ("%s * %s", prefix, body);
    }

  out = g_string_new (NULL);
  missing = sotto_message_dup_missing_text (message);
  if (missing != NULL)
    g_string_append_printf (out, "*** %s\n", missing);
  if (sotto_message_get_state (message) == SOTTO_MESSAGE_UNVERIFIABLE)
    g_string_append_printf (out, "%s %s: %s", prefix, sotto_message_get_sender (message),
                            _("[a message that could not be decrypted or verified; "
                              "it is not shown]"));
  else if (sotto_message_get_deletion (message) != SOTTO_MESSAGE_NOT_DELETED)
    {
      /* Translators: the time, then the sender */
      g_string_append_printf (out, _("%s %s: [deleted]"), prefix,
                              sotto_message_get_sender (message));
    }
  else if (sotto_message_get_action (message) != NULL)
    append_action (out, prefix, message);
  else if (sotto_message_get_file (message) != NULL)
    {
      body = sotto_cli_format_file (sotto_message_get_file (message));
      /* Translators: the time, then who sent the file, then the file as
       * "report.pdf (1.2 MB, application/pdf)" */
      g_string_append_printf (out, _("%s %s sent a file: %s"), prefix,
                              sotto_message_get_sender (message), body);
    }
  else
    {
      text = readable_text (message);
      body = sotto_cli_sanitize (text != NULL ? text : "", "    ");
      g_string_append_printf (out, "%s %s: %s", prefix, sotto_message_get_sender (message),
                              body);
    }
  if (sotto_message_is_edited (message))
    g_string_append (out, _(" (edited)"));
  append_arrival_notes (out, message);

  return g_string_free (out, FALSE);
}

/**
 * sotto_cli_format_missing_found:
 * @room_label: (nullable): the room's name, for a message of a room other
 *   than the one the user is in
 *
 * For a message printed before the client found that messages of its
 * sender had not arrived before it.
 *
 * Returns: (nullable): "*** 2 earlier messages from alice did not arrive
 *   (before the message at HH:MM)"; %NULL when none are missing
 */
char *
sotto_cli_format_missing_found (SottoMessage *message,
                                const char   *room_label)
{
  g_autofree char *missing = sotto_message_dup_missing_text (message);
  g_autofree char *time = NULL;
  g_autofree char *line = NULL;

  if (missing == NULL)
    return NULL;

  time = format_time (sotto_message_get_ts (message));
  /* Translators: the first %s is a sentence such as "2 earlier messages
   * from alice did not arrive", the second the time of the message shown
   * before, which they came before */
  line = g_strdup_printf (_("%s (before the message at %s)"), missing, time);
  if (room_label != NULL)
    return g_strdup_printf ("*** [%s] %s", room_label, line);
  return g_strdup_printf ("*** %s", line);
}

static void
begin_message_json (JsonBuilder  *builder,
                    SottoMessage *message)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "room");
  json_builder_add_string_value (builder, sotto_message_get_room (message));
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, sotto_message_get_sender (message));
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, sotto_message_get_seq (message));
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, sotto_message_get_ts (message));
}

static void
add_missing_json (JsonBuilder  *builder,
                  SottoMessage *message)
{
  guint64 missing = sotto_message_get_missing_before (message);

  /* JSON numbers beyond 2^53 are not exact in most readers; no sender
   * writes that many messages. */
  json_builder_set_member_name (builder, "missing_before");
  json_builder_add_int_value (builder, (gint64) MIN (missing, (guint64) G_MAXINT64));
}

/* What a script needs of a file to fetch it and decide whether to: never
 * its key nor its hash, which stay on this computer. */
static void
add_file_json (JsonBuilder            *builder,
               const SottoFileMessage *file)
{
  char id[2 * SOTTO_FILE_ID_BYTES + 1];

  sodium_bin2hex (id, sizeof id, file->id, sizeof file->id);
  json_builder_set_member_name (builder, "file");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, file->name);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) MIN (file->size, (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, file->type);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, file->width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, file->height);
  json_builder_end_object (builder);
}

static const char *
kind_name (SottoMessageBodyType kind)
{
  switch (kind)
    {
    case SOTTO_MESSAGE_BODY_FILE:
      return "file";
    case SOTTO_MESSAGE_BODY_REPLY:
      return "reply";
    case SOTTO_MESSAGE_BODY_EDIT:
      return "edit";
    case SOTTO_MESSAGE_BODY_DELETE:
      return "delete";
    case SOTTO_MESSAGE_BODY_REACTION:
      return "reaction";
    case SOTTO_MESSAGE_BODY_TEXT:
    default:
      return "text";
    }
}

/* What a reply, an edit, a deletion or a reaction is about: the message
 * by its sender and number (null while this computer does not hold it);
 * an edit's new text is the line's text. */
static void
add_action_json (JsonBuilder  *builder,
                 SottoMessage *message)
{
  const SottoMessageAction *action = sotto_message_get_action (message);
  gint64 target_seq = sotto_message_get_target_seq (message);

  json_builder_set_member_name (builder, "target");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, action->target.sender);
  json_builder_set_member_name (builder, "seq");
  if (target_seq > 0)
    json_builder_add_int_value (builder, target_seq);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  if (action->type == SOTTO_MESSAGE_BODY_REPLY)
    {
      json_builder_set_member_name (builder, "excerpt");
      json_builder_add_string_value (builder, action->excerpt);
    }
  if (action->type == SOTTO_MESSAGE_BODY_REACTION)
    {
      json_builder_set_member_name (builder, "reaction");
      json_builder_add_string_value (builder, action->reaction);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_boolean_value (builder, action->removed);
    }
}

static char *
end_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * sotto_cli_format_message_json:
 *
 * Returns: (nullable): one line of JSON with room, sender, seq, ts (in
 *   milliseconds since 1970), text (%NULL when it cannot be shown), state,
 *   and what the server did to the order of messages: missing_before (how
 *   many of the sender's messages just before this one never came), late
 *   (held back) and backdated (written well after the time the server
 *   gives); for a file, file with its id (in hex), name, size, type,
 *   width and height (0 but for images); %NULL for a message that is not
 *   settled yet
 */
char *
sotto_cli_format_message_json (SottoMessage *message)
{
  g_autoptr(JsonBuilder) builder = NULL;
  SottoMessageMarks marks;
  const char *text;

  if (!sotto_cli_message_is_printable (message))
    return NULL;

  text = readable_text (message);
  /* An edit's text is the new one. */
  if (text != NULL && sotto_message_get_kind (message) == SOTTO_MESSAGE_BODY_EDIT)
    text = sotto_message_get_action (message)->text;
  marks = sotto_message_get_marks (message);
  builder = json_builder_new ();
  begin_message_json (builder, message);
  json_builder_set_member_name (builder, "text");
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 sotto_cli_message_state_name (sotto_message_get_state (message)));
  add_missing_json (builder, message);
  json_builder_set_member_name (builder, "late");
  json_builder_add_boolean_value (builder, (marks & SOTTO_MESSAGE_MARK_LATE) != 0);
  json_builder_set_member_name (builder, "backdated");
  json_builder_add_boolean_value (builder, (marks & SOTTO_MESSAGE_MARK_TIME_MISMATCH) != 0);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_name (sotto_message_get_kind (message)));
  json_builder_set_member_name (builder, "edited");
  json_builder_add_boolean_value (builder, sotto_message_is_edited (message));
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder,
                                  sotto_message_get_deletion (message) != SOTTO_MESSAGE_NOT_DELETED);
  if (text != NULL && sotto_message_get_file (message) != NULL)
    add_file_json (builder, sotto_message_get_file (message));
  if (text != NULL && sotto_message_get_action (message) != NULL)
    add_action_json (builder, message);

  return end_json (builder);
}

/**
 * sotto_cli_format_missing_found_json:
 *
 * For a message printed before the client found that messages of its
 * sender had not arrived before it.
 *
 * Returns: (nullable): one line of JSON with the room, sender, seq and ts
 *   that name the message, and missing_before; %NULL when none are
 *   missing
 */
char *
sotto_cli_format_missing_found_json (SottoMessage *message)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (sotto_message_get_missing_before (message) == 0)
    return NULL;

  builder = json_builder_new ();
  begin_message_json (builder, message);
  add_missing_json (builder, message);

  return end_json (builder);
}
