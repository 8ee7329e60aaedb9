/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sotto-cli-print.h"
#include "sotto-cli-review.h"
#include "sotto-cli-verify.h"

/*
 * Verifying a contact in the chat: the safety number with them, read out
 * to compare with theirs, and the question whether it matches; or, when
 * it changed, accepting the new one without comparing.
 */

struct _SottoCliVerify
{
  GObject           parent_instance;

  SottoClient      *client;
  SottoCliTerminal *terminal;
  /* Asked about, until the answer comes */
  char             *user;
};

G_DEFINE_FINAL_TYPE (SottoCliVerify, sotto_cli_verify, G_TYPE_OBJECT)

static void
sotto_cli_verify_dispose (GObject *object)
{
  SottoCliVerify *self = SOTTO_CLI_VERIFY (object);

  g_clear_object (&self->terminal);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sotto_cli_verify_parent_class)->dispose (object);
}

static void
sotto_cli_verify_finalize (GObject *object)
{
  SottoCliVerify *self = SOTTO_CLI_VERIFY (object);

  g_free (self->user);

  G_OBJECT_CLASS (sotto_cli_verify_parent_class)->finalize (object);
}

static void
sotto_cli_verify_class_init (SottoCliVerifyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sotto_cli_verify_dispose;
  object_class->finalize = sotto_cli_verify_finalize;
}

static void
sotto_cli_verify_init (SottoCliVerify *self)
{
}

SottoCliVerify *
sotto_cli_verify_new (SottoClient      *client,
                      SottoCliTerminal *terminal)
{
  SottoCliVerify *self;

  g_return_val_if_fail (SOTTO_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SOTTO_IS_CLI_TERMINAL (terminal), NULL);

  self = g_object_new (SOTTO_TYPE_CLI_VERIFY, NULL);
  self->client = g_object_ref (client);
  self->terminal = g_object_ref (terminal);

  return self;
}

static void
verify_answer_cb (SottoCliTerminal *terminal,
                  const char       *line,
                  gpointer          user_data)
{
  SottoCliVerify *self = user_data;
  g_autofree char *user = g_steal_pointer (&self->user);
  g_autoptr(GError) error = NULL;

  if (line == NULL || (line[0] != 'y' && line[0] != 'Y'))
    {
      sotto_cli_say (TRUE, _("%s was not marked verified."), user);
      return;
    }

  if (!sotto_client_set_verified (self->client, user, TRUE, &error))
    sotto_cli_say (TRUE, "%s", error->message);
  else
    sotto_cli_say (TRUE, _("%s is verified."), user);
}

/**
 * sotto_cli_verify_ask:
 * @name: the user to compare safety numbers with
 *
 * Shows the safety number with @name and asks whether it matches the one
 * they see; if so, marks them verified.
 */
void
sotto_cli_verify_ask (SottoCliVerify *self,
                      const char     *name)
{
  g_autofree char *user = NULL;
  g_autofree char *number = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_return_if_fail (SOTTO_IS_CLI_VERIFY (self));
  g_return_if_fail (name != NULL);

  user = g_ascii_strdown (name, -1);
  if (g_strcmp0 (user, sotto_client_get_user (self->client)) == 0)
    {
      sotto_cli_say (TRUE, _("That is you."));
      return;
    }

  number = sotto_client_safety_number (self->client, user);
  if (number == NULL)
    {
      sotto_cli_say (TRUE, _("You do not have the keys of %s: you need to share a room."), user);
      return;
    }

  /* Two lines of six groups of five digits read out more easily than one
   * of twelve. */
  if (strlen (number) > 6 * 6)
    {
      first = g_strndup (number, 6 * 6 - 1);
      second = g_strdup (number + 6 * 6);
    }
  else
    first = g_strdup (number);

  sotto_cli_say (TRUE, _("Your safety number with %s:"), user);
  sotto_cli_say (TRUE, "  %s", first);
  if (second != NULL)
    sotto_cli_say (TRUE, "  %s", second);
  sotto_cli_say (TRUE, _("Compare it with the one %s sees, in person or on a call."), user);
  if (sotto_client_is_verified (self->client, user))
    sotto_cli_say (TRUE, _("%s is verified already."), user);

  g_free (self->user);
  self->user = g_steal_pointer (&user);
  prompt = g_strdup_printf (_("Does it match? Mark %s as verified [y/N] "), self->user);
  sotto_cli_terminal_ask (self->terminal, prompt, FALSE, verify_answer_cb, self);
}

/**
 * sotto_cli_verify_accept:
 * @name: (nullable): the user whose changed safety number to accept, as
 *   typed after /accept
 *
 * Accepts the new safety number of @name without comparing it.
 */
void
sotto_cli_verify_accept (SottoCliVerify *self,
                         const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = NULL;

  g_return_if_fail (SOTTO_IS_CLI_VERIFY (self));

  if (name == NULL)
    {
      sotto_cli_say (TRUE, _("Usage: /accept USER"));
      return;
    }

  accepted = sotto_cli_review_accept (self->client, name, &error);
  sotto_cli_say (TRUE, "%s", accepted != NULL ? accepted : error->message);
}
