/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "sotto-cli-format.h"
#include "sotto-cli-progress.h"

/*
 * How far a file being sent or fetched has come, as one line on standard
 * error that is written over as it moves: "Sending report.pdf: 45% (5.2 MB
 * of 11.6 MB)". Only for a person at a terminal: a script that reads
 * standard error gets the sentences that end the command, not a stream of
 * carriage returns.
 */

/* The line is written again at most this often, in µs, but for a change
 * of state. */
#define REDRAW_US (100 * G_TIME_SPAN_MILLISECOND)

/* Longer names are cut, so that the line fits a narrow terminal: a line
 * that wraps cannot be written over. */
#define NAME_MAX_CHARS 32

struct _SottoCliProgress
{
  GObject             parent_instance;

  SottoTransfer      *transfer;
  char               *name;
  gboolean            shown;
  gboolean            drawn;
  gint64              drawn_at;
  SottoTransferState  drawn_state;
  gulong              done_id;
  gulong              state_id;
};

G_DEFINE_FINAL_TYPE (SottoCliProgress, sotto_cli_progress, G_TYPE_OBJECT)

static void
sotto_cli_progress_dispose (GObject *object)
{
  SottoCliProgress *self = SOTTO_CLI_PROGRESS (object);

  sotto_cli_progress_clear (self);
  if (self->transfer != NULL)
    {
      g_clear_signal_handler (&self->done_id, self->transfer);
      g_clear_signal_handler (&self->state_id, self->transfer);
    }
  g_clear_object (&self->transfer);

  G_OBJECT_CLASS (sotto_cli_progress_parent_class)->dispose (object);
}

static void
sotto_cli_progress_finalize (GObject *object)
{
  SottoCliProgress *self = SOTTO_CLI_PROGRESS (object);

  g_free (self->name);

  G_OBJECT_CLASS (sotto_cli_progress_parent_class)->finalize (object);
}

static void
sotto_cli_progress_class_init (SottoCliProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_progress_dispose;
  object_class->finalize = sotto_cli_progress_finalize;
}

static void
sotto_cli_progress_init (SottoCliProgress *self)
{
}

static char *
describe (SottoCliProgress *self)
{
  SottoTransfer *transfer = self->transfer;
  gboolean upload = sotto_transfer_get_kind (transfer) == SOTTO_TRANSFER_UPLOAD;
  int percent = (int) (sotto_transfer_get_fraction (transfer) * 100);
  g_autofree char *done = g_format_size (sotto_transfer_get_done (transfer));
  g_autofree char *total = g_format_size (sotto_transfer_get_total (transfer));

  switch (sotto_transfer_get_state (transfer))
    {
    case SOTTO_TRANSFER_PREPARING:
      /* Translators: a file's name */
      return g_strdup_printf (_("Sending %s: encrypting it…"), self->name);

    case SOTTO_TRANSFER_WAITING:
      return upload
        /* Translators: a file's name, then how much of it went, in percent */
        ? g_strdup_printf (_("Sending %s: %d%%, waiting for the connection…"), self->name,
                           percent)
        /* Translators: a file's name, then how much of it came, in percent */
        : g_strdup_printf (_("Fetching %s: %d%%, waiting for the connection…"), self->name,
                           percent);

    case SOTTO_TRANSFER_RUNNING:
    case SOTTO_TRANSFER_DONE:
    case SOTTO_TRANSFER_FAILED:
    case SOTTO_TRANSFER_CANCELLED:
    default:
      return upload
        /* Translators: a file's name, how much of it went in percent, then
         * that much and all of it, as "5.2 MB" */
        ? g_strdup_printf (_("Sending %s: %d%% (%s of %s)"), self->name, percent, done, total)
        /* Translators: a file's name, how much of it came in percent, then
         * that much and all of it, as "5.2 MB" */
        : g_strdup_printf (_("Fetching %s: %d%% (%s of %s)"), self->name, percent, done, total);
    }
}

static void
draw (SottoCliProgress *self,
      gboolean          now)
{
  SottoTransferState state = sotto_transfer_get_state (self->transfer);
  gint64 time = g_get_monotonic_time ();
  g_autofree char *line = NULL;

  if (!self->shown || sotto_transfer_is_finished (self->transfer))
    return;
  if (!now && self->drawn && state == self->drawn_state && time - self->drawn_at < REDRAW_US)
    return;

  line = describe (self);
  /* Back to the start of the line, and the rest of the line cleared. */
  fprintf (stderr, "\r%s\033[K", line);
  fflush (stderr);
  self->drawn = TRUE;
  self->drawn_at = time;
  self->drawn_state = state;
}

static void
done_changed_cb (SottoTransfer *transfer,
                 GParamSpec    *pspec,
                 gpointer       user_data)
{
  draw (user_data, FALSE);
}

static void
state_changed_cb (SottoTransfer *transfer,
                  GParamSpec    *pspec,
                  gpointer       user_data)
{
  draw (user_data, TRUE);
}

/**
 * sotto_cli_progress_new:
 * @shown: whether to show it: standard error is a terminal
 *
 * Shows how far @transfer has come, until it is finished or
 * sotto_cli_progress_clear() is called.
 */
SottoCliProgress *
sotto_cli_progress_new (SottoTransfer *transfer,
                        gboolean       shown)
{
  SottoCliProgress *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SOTTO_IS_TRANSFER (transfer), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_PROGRESS, NULL);
  self->transfer = g_object_ref (transfer);
  self->shown = shown;
  /* The name may be a sender's: nothing in it may steer the terminal. */
  name = sotto_cli_sanitize (sotto_transfer_get_name (transfer) != NULL
                               ? sotto_transfer_get_name (transfer) : "", " ");
  if (g_utf8_strlen (name, -1) > NAME_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (name, 0, NAME_MAX_CHARS - 1);

      self->name = g_strconcat (cut, "…", NULL);
    }
  else
    self->name = g_steal_pointer (&name);

  self->done_id = g_signal_connect (transfer, "notify::done", G_CALLBACK (done_changed_cb), self);
  self->state_id = g_signal_connect (transfer, "notify::state", G_CALLBACK (state_changed_cb),
                                     self);
  draw (self, TRUE);

  return self;
}

/**
 * sotto_cli_progress_clear:
 *
 * Takes the line off the terminal, for the sentence that ends the command
 * to take its place; nothing more is shown.
 */
void
sotto_cli_progress_clear (SottoCliProgress *self)
{
  g_return_if_fail (SOTTO_IS_CLI_PROGRESS (self));

  if (self->drawn)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
    }
  self->drawn = FALSE;
  self->shown = FALSE;
}
