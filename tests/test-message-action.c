/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-e2e.h"

/*
 * Messages about other messages (replies, edits, deletions, reactions):
 * each goes through and back, inside a room body too; parsing is strict
 * (every cut and every byte more fails); fields the format does not allow
 * are refused when sending; a reply's quote is one short line.
 */

static void
sample (SottoMessageAction   *action,
        SottoMessageBodyType  type)
{
  memset (action, 0, sizeof *action);
  action->type = type;
  action->target.sender = g_strdup ("alice");
  randombytes_buf (action->target.device, sizeof action->target.device);
  action->target.counter = 42;
  switch (type)
    {
    case SOTTO_MESSAGE_BODY_REPLY:
      action->excerpt = g_strdup ("Who brings the cake?");
      action->text = g_strdup ("I do — chocolate.");
      break;
    case SOTTO_MESSAGE_BODY_EDIT:
      action->text = g_strdup ("Who brings the cake on Friday?");
      break;
    case SOTTO_MESSAGE_BODY_REACTION:
      action->reaction = g_strdup ("👍🏽");
      break;
    default:
      break;
    }
}

static const SottoMessageBodyType types[] = {
  SOTTO_MESSAGE_BODY_REPLY, SOTTO_MESSAGE_BODY_EDIT, SOTTO_MESSAGE_BODY_DELETE,
  SOTTO_MESSAGE_BODY_REACTION,
};

static void
test_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_auto(SottoMessageAction) action = { 0 };
      g_auto(SottoMessageAction) back = { 0 };
      g_auto(SottoMessageBody) body = { 0 };
      g_auto(SottoMessageBody) opened = { 0 };
      g_autoptr(GBytes) content = NULL;
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GError) error = NULL;

      sample (&action, types[i]);
      action.removed = types[i] == SOTTO_MESSAGE_BODY_REACTION;
      content = sotto_message_action_encode (&action, &error);
      g_assert_no_error (error);
      g_assert_true (sotto_message_action_decode (types[i], content, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back.type, ==, types[i]);
      g_assert_cmpstr (back.target.sender, ==, "alice");
      g_assert_cmpmem (back.target.device, sizeof back.target.device, action.target.device,
                       sizeof action.target.device);
      g_assert_cmpuint (back.target.counter, ==, 42);
      g_assert_cmpstr (back.text, ==, action.text);
      g_assert_cmpstr (back.excerpt, ==, action.excerpt);
      g_assert_cmpstr (back.reaction, ==, action.reaction);
      g_assert_cmpint (back.removed, ==, action.removed);

      /* Inside a room body, as it is sealed. */
      body.type = types[i];
      body.counter = 7;
      body.content = g_bytes_ref (content);
      plain = sotto_message_body_encode (&body, &error);
      g_assert_no_error (error);
      g_assert_true (sotto_message_body_decode (plain, &opened, &error));
      g_assert_no_error (error);
      g_assert_cmpint (opened.type, ==, types[i]);
      g_assert_true (g_bytes_equal (opened.content, content));
    }
}

static void
test_strict (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_auto(SottoMessageAction) action = { 0 };
      g_autoptr(GBytes) content = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *data;
      gsize size;

      sample (&action, types[i]);
      content = sotto_message_action_encode (&action, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (content, &size);

      /* A byte more: for a reply or an edit it is text (and a NUL byte is
       * not), for the others it is left over. */
      {
        g_autofree guint8 *longer = g_malloc (size + 1);
        g_autoptr(GBytes) bytes = NULL;
        g_auto(SottoMessageAction) back = { 0 };

        memcpy (longer, data, size);
        longer[size] = 0;
        bytes = g_bytes_new (longer, size + 1);
        g_assert_false (sotto_message_action_decode (types[i], bytes, &back, &error));
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
        g_clear_error (&error);
        g_assert_null (back.target.sender);
      }

      /* Every cut fails, but where a reply's or an edit's text is cut
       * short and still text. */
      for (gsize cut = 0; cut < size; cut++)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (data, cut);
          g_auto(SottoMessageAction) back = { 0 };
          gboolean ok = sotto_message_action_decode (types[i], bytes, &back, &error);

          if (ok)
            {
              g_assert_nonnull (back.text);
              g_assert_true (g_str_has_prefix (action.text, back.text));
              g_assert_cmpuint (strlen (back.text), <, strlen (action.text));
              continue;
            }
          g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
          g_clear_error (&error);
        }

      /* The same bytes as another type: only where the layouts agree. */
      {
        g_auto(SottoMessageAction) back = { 0 };

        g_assert_false (sotto_message_action_decode (SOTTO_MESSAGE_BODY_TEXT, content, &back,
                                                     &error));
        g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
        g_clear_error (&error);
      }
    }

  /* A counter of zero; a reaction taken back with another flag byte. */
  {
    g_auto(SottoMessageAction) action = { 0 };
    g_autoptr(GBytes) content = NULL;
    g_autoptr(GBytes) changed = NULL;
    g_auto(SottoMessageAction) back = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *copy = NULL;
    gsize size;
    gsize flag_at = 2 + strlen ("alice") + SOTTO_MESSAGE_REF_DEVICE_BYTES + 8;

    sample (&action, SOTTO_MESSAGE_BODY_REACTION);
    content = sotto_message_action_encode (&action, &error);
    g_assert_no_error (error);
    copy = g_memdup2 (g_bytes_get_data (content, &size), g_bytes_get_size (content));
    copy[flag_at] = 2;
    changed = g_bytes_new (copy, size);
    g_assert_false (sotto_message_action_decode (SOTTO_MESSAGE_BODY_REACTION, changed, &back,
                                                 &error));
    g_clear_error (&error);
    g_clear_pointer (&changed, g_bytes_unref);
    copy[flag_at] = 0;
    memset (copy + flag_at - 8, 0, 8);
    changed = g_bytes_new (copy, size);
    g_assert_false (sotto_message_action_decode (SOTTO_MESSAGE_BODY_REACTION, changed, &back,
                                                 &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
}

static void
test_refused (void)
{
  const char *const bad_reactions[] = { "", "two words", "tab\t", "\x01", "\xff",
                                        "123456789012345678901234567890123456789012345678901234567890123456" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_reactions); i++)
    {
      g_auto(SottoMessageAction) action = { 0 };
      g_autoptr(GError) error = NULL;

      sample (&action, SOTTO_MESSAGE_BODY_REACTION);
      g_free (action.reaction);
      action.reaction = g_strdup (bad_reactions[i]);
      g_assert_false (sotto_message_reaction_is_valid (bad_reactions[i]));
      g_assert_null (sotto_message_action_encode (&action, &error));
      g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
    }
  g_assert_true (sotto_message_reaction_is_valid ("🎉"));
  g_assert_true (sotto_message_reaction_is_valid ("+1"));

  /* An empty edit, a reply without text, a sender too long, no counter. */
  {
    g_auto(SottoMessageAction) action = { 0 };
    g_autoptr(GError) error = NULL;

    sample (&action, SOTTO_MESSAGE_BODY_EDIT);
    g_free (action.text);
    action.text = g_strdup ("");
    g_assert_null (sotto_message_action_encode (&action, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
  {
    g_auto(SottoMessageAction) action = { 0 };
    g_autoptr(GError) error = NULL;

    sample (&action, SOTTO_MESSAGE_BODY_REPLY);
    g_clear_pointer (&action.text, g_free);
    g_assert_null (sotto_message_action_encode (&action, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
  {
    g_auto(SottoMessageAction) action = { 0 };
    g_autoptr(GError) error = NULL;

    sample (&action, SOTTO_MESSAGE_BODY_DELETE);
    g_free (action.target.sender);
    action.target.sender = g_strnfill (SOTTO_MESSAGE_REF_SENDER_MAX_BYTES + 1, 'a');
    g_assert_null (sotto_message_action_encode (&action, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
  {
    g_auto(SottoMessageAction) action = { 0 };
    g_autoptr(GError) error = NULL;

    sample (&action, SOTTO_MESSAGE_BODY_DELETE);
    action.target.counter = 0;
    g_assert_null (sotto_message_action_encode (&action, &error));
    g_assert_error (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT);
  }
}

static void
test_excerpt (void)
{
  g_autofree char *short_one = sotto_message_excerpt ("  Lunch?\n\nAt  noon\t ");
  g_autofree char *long_text = NULL;
  g_autofree char *long_one = NULL;
  GString *text = g_string_new (NULL);

  g_assert_cmpstr (short_one, ==, "Lunch? At noon");
  for (guint i = 0; i < 200; i++)
    g_string_append (text, "ä");
  long_text = g_string_free (text, FALSE);
  long_one = sotto_message_excerpt (long_text);
  g_assert_cmpuint (strlen (long_one), <=, SOTTO_MESSAGE_EXCERPT_MAX_BYTES);
  g_assert_true (g_utf8_validate (long_one, -1, NULL));
  g_assert_true (g_str_has_suffix (long_one, "…"));
  g_assert_true (g_str_has_prefix (long_one, "ää"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/sotto/e2e/message-action/round-trip", test_round_trip);
  g_test_add_func ("/sotto/e2e/message-action/strict", test_strict);
  g_test_add_func ("/sotto/e2e/message-action/refused", test_refused);
  g_test_add_func ("/sotto/e2e/message-action/excerpt", test_excerpt);

  return g_test_run ();
}
