/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-message-private.h"
#include "sotto-transfer.h"

/* One message of a room's history, as the user sees it. */


enum {
  PROP_0,
  PROP_SENDER,
  PROP_SEQ,
  PROP_TS,
  PROP_STATE,
  PROP_TEXT,
  PROP_FILE,
  PROP_TRANSFER,
  PROP_COUNTER,
  PROP_SENT_AT,
  PROP_MARKS,
  PROP_MISSING_BEFORE,
  PROP_EDITED,
  PROP_DELETION,
  PROP_REACTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoMessage, sotto_message, G_TYPE_OBJECT)

static void
sotto_message_finalize (GObject *object)
{
  SottoMessage *self = SOTTO_MESSAGE (object);

  g_free (self->room);
  g_free (self->sender);
  g_free (self->msg_id);
  g_free (self->text);
  g_clear_pointer (&self->file, sotto_file_message_free);
  g_clear_object (&self->transfer);
  _sotto_message_clear_actions (self);

  G_OBJECT_CLASS (sotto_message_parent_class)->finalize (object);
}

static void
sotto_message_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SottoMessage *self = SOTTO_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_SENDER:
      g_value_set_string (value, self->sender);
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_EDITED:
      g_value_set_boolean (value, sotto_message_is_edited (self));
      break;
    case PROP_DELETION:
      g_value_set_enum (value, sotto_message_get_deletion (self));
      break;
    case PROP_REACTIONS:
      g_value_take_boxed (value, sotto_message_dup_reactions (self));
      break;
    case PROP_TS:
      g_value_set_int64 (value, self->ts);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_FILE:
      g_value_set_pointer (value, self->file);
      break;
    case PROP_TRANSFER:
      g_value_set_object (value, self->transfer);
      break;
    case PROP_COUNTER:
      g_value_set_uint64 (value, self->counter);
      break;
    case PROP_SENT_AT:
      g_value_set_int64 (value, self->sent_at);
      break;
    case PROP_MARKS:
      g_value_set_flags (value, self->marks);
      break;
    case PROP_MISSING_BEFORE:
      g_value_set_uint64 (value, self->missing_before);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_message_class_init (SottoMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sotto_message_finalize;
  object_class->get_property = sotto_message_get_property;

  properties[PROP_SENDER] =
    g_param_spec_string ("sender", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TS] =
    g_param_spec_int64 ("ts", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:state:
   *
   * A #SottoMessageState.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SOTTO_TYPE_MESSAGE_STATE, SOTTO_MESSAGE_SENDING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:text:
   *
   * The text; %NULL while the message cannot be read.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMessage:file: (type gpointer)
   *
   * The #SottoFileMessage of a file message, %NULL for others
   * (sotto_message_get_file()).
   */
  properties[PROP_FILE] =
    g_param_spec_pointer ("file", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMessage:transfer:
   *
   * The latest fetch of a file message's file on this computer, while it
   * runs and after it ended; %NULL before the first.
   */
  properties[PROP_TRANSFER] =
    g_param_spec_object ("transfer", NULL, NULL, SOTTO_TYPE_TRANSFER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMessage:counter:
   *
   * Its sender's counter for the room, signed by the sender; 0 while
   * unknown.
   */
  properties[PROP_COUNTER] =
    g_param_spec_uint64 ("counter", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:sent-at:
   *
   * When its sender wrote it, by the sender's clock and signed, in ms since
   * the epoch; 0 while unknown.
   */
  properties[PROP_SENT_AT] =
    g_param_spec_int64 ("sent-at", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:marks:
   *
   * What the reader found wrong with its arrival, #SottoMessageMarks.
   */
  properties[PROP_MARKS] =
    g_param_spec_flags ("marks", NULL, NULL, SOTTO_TYPE_MESSAGE_MARKS, SOTTO_MESSAGE_MARK_NONE,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:missing-before:
   *
   * How many messages its sender sent just before it never came: the
   * server withheld them.
   */
  properties[PROP_MISSING_BEFORE] =
    g_param_spec_uint64 ("missing-before", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * SottoMessage:edited:
   *
   * Whether its sender changed its text (sotto_message_dup_edits()).
   */
  properties[PROP_EDITED] =
    g_param_spec_boolean ("edited", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:deletion:
   *
   * Whether, and by whom, it was deleted for everyone, a
   * #SottoMessageDeletion.
   */
  properties[PROP_DELETION] =
    g_param_spec_enum ("deletion", NULL, NULL, SOTTO_TYPE_MESSAGE_DELETION,
                       SOTTO_MESSAGE_NOT_DELETED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * SottoMessage:reactions:
   *
   * The reactions it has, first given first (sotto_message_dup_reactors()
   * says who gave each).
   */
  properties[PROP_REACTIONS] =
    g_param_spec_boxed ("reactions", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_message_init (SottoMessage *self)
{
}

SottoMessage *
sotto_message_new (const char        *room,
                   const char        *sender,
                   const char        *msg_id,
                   gint64             seq,
                   gint64             ts,
                   SottoMessageState  state,
                   const char        *text)
{
  SottoMessage *self = g_object_new (SOTTO_TYPE_MESSAGE, NULL);

  self->room = g_strdup (room);
  self->sender = g_strdup (sender);
  self->msg_id = g_strdup (msg_id);
  self->seq = seq;
  self->ts = ts;
  self->state = state;
  self->text = g_strdup (text);

  return self;
}

const char *
sotto_message_get_room (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->room;
}

const char *
sotto_message_get_sender (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->sender;
}

const char *
sotto_message_get_msg_id (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->msg_id;
}

gint64
sotto_message_get_seq (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), 0);
  return self->seq;
}

gint64
sotto_message_get_ts (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), 0);
  return self->ts;
}

SottoMessageState
sotto_message_get_state (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), SOTTO_MESSAGE_SENDING);
  return self->state;
}

const char *
sotto_message_get_text (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->text;
}

guint64
sotto_message_get_counter (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), 0);
  return self->counter;
}

gint64
sotto_message_get_sent_at (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), 0);
  return self->sent_at;
}

SottoMessageMarks
sotto_message_get_marks (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), SOTTO_MESSAGE_MARK_NONE);
  return self->marks;
}

guint64
sotto_message_get_missing_before (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), 0);
  return self->missing_before;
}

/**
 * sotto_message_set_order:
 * @counter: its sender's counter
 * @sent_at: its sender's time
 * @marks: what was found wrong with its arrival
 *
 * Records what the envelope said of the message's place, once it opened.
 */
void
sotto_message_set_order (SottoMessage      *self,
                         guint64            counter,
                         gint64             sent_at,
                         SottoMessageMarks  marks)
{
  g_return_if_fail (SOTTO_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->counter != counter)
    {
      self->counter = counter;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTER]);
    }
  if (self->sent_at != sent_at)
    {
      self->sent_at = sent_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT_AT]);
    }
  if (self->marks != marks)
    {
      self->marks = marks;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARKS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * sotto_message_set_missing_before:
 * @missing: how many messages of its sender before it never came
 */
void
sotto_message_set_missing_before (SottoMessage *self,
                                  guint64       missing)
{
  g_return_if_fail (SOTTO_IS_MESSAGE (self));

  if (self->missing_before == missing)
    return;
  self->missing_before = missing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MISSING_BEFORE]);
}

/**
 * sotto_message_update:
 * @seq: the server's number, or 0 to keep the one known
 * @ts: the server's time, or 0 to keep the one known
 * @text: (nullable): the text, or %NULL to keep the one known
 *
 * Moves the message on (sent, decrypted once its key came) and notifies
 * what changed.
 */
void
sotto_message_update (SottoMessage      *self,
                      SottoMessageState  state,
                      gint64             seq,
                      gint64             ts,
                      const char        *text)
{
  g_return_if_fail (SOTTO_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (seq != 0 && self->seq != seq)
    {
      self->seq = seq;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
    }
  if (ts != 0 && self->ts != ts)
    {
      self->ts = ts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TS]);
    }
  /* An edited or deleted message keeps showing that: the text it opened
   * with is its first. */
  if (text != NULL && !_sotto_message_keep_original (self, text) &&
      g_strcmp0 (self->text, text) != 0)
    {
      g_free (self->text);
      self->text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * sotto_message_dup_missing_text:
 *
 * Returns: (transfer full) (nullable): "2 earlier messages from alice did
 *   not arrive", or %NULL when none is missing before this one
 */
char *
sotto_message_dup_missing_text (SottoMessage *self)
{
  g_autofree char *count = NULL;

  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);

  if (self->missing_before == 0)
    return NULL;

  count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->missing_before);
  /* Translators: the first %s is how many, the second who sent them */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s earlier message from %s did not arrive",
                                       "%s earlier messages from %s did not arrive",
                                       (gulong) MIN (self->missing_before, G_MAXULONG)),
                          count, self->sender != NULL ? self->sender : "");
}

/**
 * sotto_message_get_late_text:
 *
 * Returns: (nullable): what to say of a message marked late, or %NULL
 */
const char *
sotto_message_get_late_text (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);

  if ((self->marks & SOTTO_MESSAGE_MARK_LATE) == 0)
    return NULL;
  return _("Arrived late: the server held this message back");
}

/**
 * sotto_message_dup_backdated_text:
 * @other_day_format: how to write when it was written, for g_date_time_format(),
 *   when that is another day than the server gives
 *
 * Returns: (transfer full) (nullable): "alice wrote this at 14:05; the
 *   server dates it earlier", by the local clock, or %NULL when the message
 *   is not marked backdated
 */
char *
sotto_message_dup_backdated_text (SottoMessage *self,
                                  const char   *other_day_format)
{
  g_autoptr(GDateTime) written = NULL;
  g_autoptr(GDateTime) dated = NULL;
  g_autofree char *when = NULL;

  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (other_day_format != NULL, NULL);

  if ((self->marks & SOTTO_MESSAGE_MARK_TIME_MISMATCH) == 0)
    return NULL;

  written = g_date_time_new_from_unix_local (self->sent_at / 1000);
  dated = g_date_time_new_from_unix_local (self->ts / 1000);
  if (written == NULL)
    when = g_strdup ("?");
  else if (dated != NULL &&
           g_date_time_get_year (written) == g_date_time_get_year (dated) &&
           g_date_time_get_day_of_year (written) == g_date_time_get_day_of_year (dated))
    when = g_date_time_format (written, "%H:%M");
  else
    when = g_date_time_format (written, other_day_format);

  /* Translators: the first %s is who wrote the message, the second when */
  return g_strdup_printf (_("%s wrote this at %s; the server dates it earlier"),
                          self->sender != NULL ? self->sender : "", when);
}

/**
 * sotto_message_get_file:
 *
 * Returns: (transfer none) (nullable): the file a file message names, as
 *   its sender described it; its text is then the file's name
 */
const SottoFileMessage *
sotto_message_get_file (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->file;
}

/**
 * sotto_message_get_transfer:
 *
 * Returns: (transfer none) (nullable): the latest fetch of the file
 */
SottoTransfer *
sotto_message_get_transfer (SottoMessage *self)
{
  g_return_val_if_fail (SOTTO_IS_MESSAGE (self), NULL);
  return self->transfer;
}

/**
 * sotto_message_set_transfer:
 * @transfer: (nullable): a fetch of the message's file
 */
void
sotto_message_set_transfer (SottoMessage  *self,
                            SottoTransfer *transfer)
{
  g_return_if_fail (SOTTO_IS_MESSAGE (self));
  g_return_if_fail (transfer == NULL || SOTTO_IS_TRANSFER (transfer));

  if (g_set_object (&self->transfer, transfer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSFER]);
}

/**
 * sotto_message_set_file:
 * @file: (nullable): the file, copied
 *
 * Makes this a file message; its text should be the file's name.
 */
void
sotto_message_set_file (SottoMessage           *self,
                        const SottoFileMessage *file)
{
  g_return_if_fail (SOTTO_IS_MESSAGE (self));

  g_clear_pointer (&self->file, sotto_file_message_free);
  if (file != NULL)
    self->file = sotto_file_message_copy (file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}
