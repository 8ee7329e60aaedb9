/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * A message about another message (reply, edit, delete, reaction), as a
 * member's client reads it once the envelope opened. The first input byte
 * chooses the body type (3 to 6 and a few that are not actions); the rest
 * is the content. Whatever decodes must encode back to the same bytes and
 * name a message by a sender of 1-32 bytes and a counter of at least 1; a
 * reaction must be one a sender may send; an excerpt made of the text is
 * within its limit and valid UTF-8. Whatever fails, fails with
 * SOTTO_E2E_ERROR_BAD_FORMAT.
 */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_assert_cmpint (sodium_init (), >=, 0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SottoMessageAction) action = { 0 };
  SottoMessageBodyType type;

  if (size < 1)
    return 0;
  type = (SottoMessageBodyType) (data[0] % 8);
  content = g_bytes_new (data + 1, size - 1);

  if (!sotto_message_action_decode (type, content, &action, &error))
    {
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
      g_assert_null (action.target.sender);
      return 0;
    }

  g_assert_true (sotto_message_body_type_is_action (type));
  g_assert_cmpuint (strlen (action.target.sender), >=, 1);
  g_assert_cmpuint (strlen (action.target.sender), <=, SOTTO_MESSAGE_REF_SENDER_MAX_BYTES);
  g_assert_cmpuint (action.target.counter, >=, 1);
  if (type == SOTTO_MESSAGE_BODY_REACTION)
    g_assert_true (sotto_message_reaction_is_valid (action.reaction));
  if (action.text != NULL)
    {
      g_autofree char *excerpt = sotto_message_excerpt (action.text);

      g_assert_cmpuint (strlen (excerpt), <=, SOTTO_MESSAGE_EXCERPT_MAX_BYTES);
      g_assert_true (g_utf8_validate (excerpt, -1, NULL));
    }

  again = sotto_message_action_encode (&action, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, content));
  return 0;
}
