/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sotto-transfer-private.h"

/*
 * A file on its way, as the app and the terminal client follow it: which
 * file, how far, in what state, why it stopped. The client core moves it
 * (sotto-client-transfers.c); the user may cancel it.
 */

struct _SottoTransfer
{
  GObject             parent_instance;

  SottoTransferKind   kind;
  char               *name;
  char               *room;
  guint64             total;
  guint64             done;
  SottoTransferState  state;
  char               *error;
  SottoMessage       *message;
  GCancellable       *cancellable;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_NAME,
  PROP_TOTAL,
  PROP_DONE,
  PROP_STATE,
  PROP_ERROR,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SottoTransfer, sotto_transfer, G_TYPE_OBJECT)

static void
sotto_transfer_finalize (GObject *object)
{
  SottoTransfer *self = SOTTO_TRANSFER (object);

  g_free (self->name);
  g_free (self->room);
  g_free (self->error);
  g_clear_weak_pointer (&self->message);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sotto_transfer_parent_class)->finalize (object);
}

static void
sotto_transfer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SottoTransfer *self = SOTTO_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, self->total);
      break;
    case PROP_DONE:
      g_value_set_uint64 (value, self->done);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_transfer_class_init (SottoTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sotto_transfer_finalize;
  object_class->get_property = sotto_transfer_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, SOTTO_TYPE_TRANSFER_KIND, SOTTO_TRANSFER_UPLOAD, flags);
  /**
   * SottoTransfer:name:
   *
   * The file's name, as its message says (a sender's words: shown, never
   * a path).
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * SottoTransfer:total:
   *
   * How many bytes go in all (the blob's size), 0 until known.
   */
  properties[PROP_TOTAL] = g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_DONE] = g_param_spec_uint64 ("done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SOTTO_TYPE_TRANSFER_STATE, SOTTO_TRANSFER_PREPARING,
                       flags);
  /**
   * SottoTransfer:error:
   *
   * Why it stopped, a sentence for the user, once #SottoTransfer:state is
   * %SOTTO_TRANSFER_FAILED.
   */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  /**
   * SottoTransfer:message:
   *
   * The file message: for an upload, once it is sent; for a download, the
   * one whose file it fetches. Not held: the message holds its latest
   * fetch (#SottoMessage:transfer), and the room its messages.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, SOTTO_TYPE_MESSAGE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sotto_transfer_init (SottoTransfer *self)
{
  self->cancellable = g_cancellable_new ();
}

SottoTransfer *
_sotto_transfer_new (SottoTransferKind  kind,
                     const char        *name,
                     const char        *room)
{
  SottoTransfer *self = g_object_new (SOTTO_TYPE_TRANSFER, NULL);

  self->kind = kind;
  self->name = g_strdup (name);
  self->room = g_strdup (room);
  return self;
}

SottoTransferKind
sotto_transfer_get_kind (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), SOTTO_TRANSFER_UPLOAD);
  return self->kind;
}

const char *
sotto_transfer_get_name (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), NULL);
  return self->name;
}

const char *
sotto_transfer_get_room (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), NULL);
  return self->room;
}

guint64
sotto_transfer_get_total (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), 0);
  return self->total;
}

guint64
sotto_transfer_get_done (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), 0);
  return self->done;
}

/**
 * sotto_transfer_get_fraction:
 *
 * Returns: how far it went, from 0 to 1
 */
double
sotto_transfer_get_fraction (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), 0);

  if (self->state == SOTTO_TRANSFER_DONE)
    return 1.0;
  return self->total > 0 ? (double) self->done / (double) self->total : 0.0;
}

SottoTransferState
sotto_transfer_get_state (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), SOTTO_TRANSFER_FAILED);
  return self->state;
}

const char *
sotto_transfer_get_error (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), NULL);
  return self->error;
}

/**
 * sotto_transfer_get_message:
 *
 * Returns: (transfer none) (nullable): #SottoTransfer:message
 */
SottoMessage *
sotto_transfer_get_message (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), NULL);
  return self->message;
}

/**
 * sotto_transfer_is_finished:
 *
 * Returns: whether it is done, failed or cancelled
 */
gboolean
sotto_transfer_is_finished (SottoTransfer *self)
{
  g_return_val_if_fail (SOTTO_IS_TRANSFER (self), TRUE);

  return self->state == SOTTO_TRANSFER_DONE || self->state == SOTTO_TRANSFER_FAILED ||
         self->state == SOTTO_TRANSFER_CANCELLED;
}

/**
 * sotto_transfer_cancel:
 *
 * Stops it; what it wrote on this computer is deleted. Nothing happens
 * once it is finished.
 */
void
sotto_transfer_cancel (SottoTransfer *self)
{
  g_return_if_fail (SOTTO_IS_TRANSFER (self));

  if (sotto_transfer_is_finished (self))
    return;
  _sotto_transfer_set_state (self, SOTTO_TRANSFER_CANCELLED, NULL);
  g_cancellable_cancel (self->cancellable);
}

GCancellable *
_sotto_transfer_get_cancellable (SottoTransfer *self)
{
  return self->cancellable;
}

void
_sotto_transfer_set_progress (SottoTransfer *self,
                              guint64        done,
                              guint64        total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->done != done)
    {
      self->done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_sotto_transfer_set_state (SottoTransfer      *self,
                           SottoTransferState  state,
                           const char         *error)
{
  /* Nothing moves a finished transfer again. */
  if (sotto_transfer_is_finished (self) || self->state == state)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (error != NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_sotto_transfer_set_message (SottoTransfer *self,
                             SottoMessage  *message)
{
  if (g_set_weak_pointer (&self->message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}
