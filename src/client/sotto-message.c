/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-message.h"

/* One message of a room's history, as the user sees it. */

struct _SottoMessage
{
  GObject            parent_instance;

  char              *room;
  char              *sender;
  char              *msg_id;
  gint64             seq;
  gint64             ts;
  SottoMessageState  state;
  char              *text;
};

enum {
  PROP_0,
  PROP_SENDER,
  PROP_SEQ,
  PROP_TS,
  PROP_STATE,
  PROP_TEXT,
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
    case PROP_TS:
      g_value_set_int64 (value, self->ts);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
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
  if (text != NULL && g_strcmp0 (self->text, text) != 0)
    {
      g_free (self->text);
      self->text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}
