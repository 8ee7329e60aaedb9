/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-preferences-window.h"
#include "sotto-recovery-key-dialog.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * The recovery key in the app, against a real sotto-server: shown once
 * the account is made, and again from the preferences after a question;
 * typed in on a new computer from the not-linked dialog, which signs in
 * without a key change for anyone. Other people are client cores in this
 * process, from sotto-test-users. Screenshots in the light and the dark
 * style.
 */

#define PASSWORD "correct horse battery"

/* One application per process, as in the real app; each test has its own
 * window and data. */
static SottoApplication *the_app;

typedef struct
{
  SottoTestServer  *server;
  char             *dir;
  char             *address;
  SottoApplication *app;
  SottoWindow      *window;
  SottoClient      *bob;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *app_dir = NULL;

  fixture->server = sotto_test_server_start (NULL, NULL);
  fixture->dir = sotto_test_make_data_dir ();
  fixture->address = g_strdup_printf ("127.0.0.1:%u", sotto_test_server_get_port (fixture->server));
  app_dir = g_build_filename (fixture->dir, "app", NULL);

  fixture->app = g_object_ref (the_app);
  sotto_application_set_data_dir (fixture->app, app_dir);
  sotto_application_set_pwhash_limits (fixture->app, crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN);

  fixture->window = sotto_window_new (GTK_APPLICATION (fixture->app));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (fixture->window));
  sotto_ui_settle (GTK_WIDGET (fixture->window));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWindow *dialog;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  while ((dialog = sotto_ui_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL ||
         (dialog = sotto_ui_find_window (SOTTO_TYPE_PREFERENCES_WINDOW)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->bob != NULL)
    sotto_client_close (fixture->bob);
  g_clear_object (&fixture->bob);
  sotto_test_iterate (50);
  g_clear_object (&fixture->app);

  if (sotto_test_server_is_running (fixture->server))
    sotto_test_server_stop (fixture->server);
  g_clear_pointer (&fixture->server, sotto_test_server_free);
  sotto_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->address);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  sotto_ui_settle (widget);
  g_free (sotto_ui_screenshot (widget, name));
}

/* @widget in the light style, then in the dark one. */
static void
screenshots (GtkWidget  *widget,
             const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  screenshot (widget, name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (widget, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

static AdwMessageDialog *
find_dialog (const char *heading)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

/* A click on the button of @dialog labelled @label: its response, then
 * the dialog closes. */
static void
click_response (AdwMessageDialog *dialog,
                const char       *label)
{
  GtkWidget *button = sotto_ui_find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
logged_in (gpointer data)
{
  Fixture *fixture = data;
  SottoClient *client = sotto_window_get_client (fixture->window);

  return client != NULL && sotto_client_get_state (client) == SOTTO_CLIENT_ONLINE &&
         sotto_window_get_room (fixture->window) != NULL;
}

static gboolean
login_failed (gpointer data)
{
  Fixture *fixture = data;
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  return !sotto_login_view_get_busy (login) && sotto_login_view_get_error (login) != NULL;
}

static gboolean
recovery_key_shown (gpointer data)
{
  return sotto_ui_find_window (SOTTO_TYPE_RECOVERY_KEY_DIALOG) != NULL;
}

static gboolean
recovery_key_gone (gpointer data)
{
  return !recovery_key_shown (data);
}

/* @recovery_key as the dialog shows it: lines of four groups. */
static char *
in_lines (const char *recovery_key)
{
  char *text = g_strdup (recovery_key);

  g_assert_cmpint (strlen (text), ==, 65);
  text[23] = '\n';
  text[47] = '\n';
  return text;
}

typedef struct
{
  gboolean  done;
  char     *text;
} Pasted;

static void
pasted_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pasted *pasted = user_data;

  pasted->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  pasted->done = TRUE;
}

static gboolean
pasted_done (gpointer data)
{
  return ((Pasted *) data)->done;
}

/* What the clipboard holds as text now. */
static char *
clipboard_text (GtkWidget *widget)
{
  Pasted pasted = { FALSE, NULL };

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, pasted_cb, &pasted);
  g_assert_true (sotto_ui_wait_until (pasted_done, &pasted, 10));
  return pasted.text;
}

/* Alice makes her account through the form, trusting the server: the
 * recovery key dialog comes over her first room, with the key of her
 * account in lines, which Copy puts on the clipboard as one line; "I
 * Have Saved It" closes it. A login later shows nothing. */
static void
test_registered (Fixture       *fixture,
                 gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  SottoRecoveryKeyDialog *dialog;
  g_autofree char *recovery_key = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *copied = NULL;

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Trust This Server?", 30));
  click_response (find_dialog ("Trust This Server?"), "_Trust and Connect");
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));

  g_assert_true (sotto_ui_wait_until (recovery_key_shown, NULL, 10));
  dialog = SOTTO_RECOVERY_KEY_DIALOG (sotto_ui_find_window (SOTTO_TYPE_RECOVERY_KEY_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) ==
                 GTK_WINDOW (fixture->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  recovery_key = sotto_client_get_recovery_key (sotto_window_get_client (fixture->window));
  expected = in_lines (recovery_key);
  g_assert_cmpstr (sotto_recovery_key_dialog_get_shown (dialog), ==, expected);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "paper or in a password manager"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "new computer"));
  {
    GtkLabel *label = GTK_LABEL (sotto_ui_find_widget (
                                   adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)),
                                   GTK_TYPE_LABEL));

    g_assert_true (gtk_label_get_selectable (label));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "monospace"));
    g_assert_cmpstr (gtk_label_get_text (label), ==, expected);
  }
  screenshots (GTK_WIDGET (dialog), "recovery-key-registered");

  /* As the Copy button does. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "recovery-key.copy", NULL);
  copied = clipboard_text (GTK_WIDGET (dialog));
  g_assert_cmpstr (copied, ==, recovery_key);
  screenshot (GTK_WIDGET (dialog), "recovery-key-copied");
  g_assert_true (recovery_key_shown (NULL));

  click_response (ADW_MESSAGE_DIALOG (dialog), "I Have _Saved It");
  g_assert_true (sotto_ui_wait_until (recovery_key_gone, NULL, 10));

  /* A login shows no key. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.log-out", NULL);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  sotto_test_iterate (200);
  g_assert_false (recovery_key_shown (NULL));
}

/* Signed in, the preferences have an Account group whose row shows the
 * recovery key again, once the question is answered; Cancel shows
 * nothing. */
static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  SottoPreferencesWindow *preferences;
  AdwMessageDialog *question;
  SottoRecoveryKeyDialog *dialog;
  GtkWidget *button;
  g_autofree char *recovery_key = NULL;
  g_autofree char *expected = NULL;

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Trust This Server?", 30));
  click_response (find_dialog ("Trust This Server?"), "_Trust and Connect");
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_free (sotto_ui_dismiss_recovery_key ());
  recovery_key = sotto_client_get_recovery_key (sotto_window_get_client (fixture->window));
  expected = in_lines (recovery_key);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = SOTTO_PREFERENCES_WINDOW (sotto_ui_find_window (SOTTO_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (preferences);
  g_assert_true (sotto_preferences_window_get_client (preferences) ==
                 sotto_window_get_client (fixture->window));
  button = sotto_ui_find_button (GTK_WIDGET (preferences), "_Show…");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_visible (button));
  screenshots (GTK_WIDGET (preferences), "recovery-key-preferences");

  /* Cancel: nothing shown. */
  g_signal_emit_by_name (button, "clicked");
  question = find_dialog ("Show the Recovery Key?");
  g_assert_nonnull (question);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "cancel");
  screenshot (GTK_WIDGET (question), "recovery-key-question");
  click_response (question, "_Cancel");
  sotto_test_iterate (200);
  g_assert_false (recovery_key_shown (NULL));

  /* Show: the same key. */
  g_signal_emit_by_name (button, "clicked");
  question = find_dialog ("Show the Recovery Key?");
  click_response (question, "_Show");
  g_assert_true (sotto_ui_wait_until (recovery_key_shown, NULL, 10));
  dialog = SOTTO_RECOVERY_KEY_DIALOG (sotto_ui_find_window (SOTTO_TYPE_RECOVERY_KEY_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (preferences));
  g_assert_cmpstr (sotto_recovery_key_dialog_get_shown (dialog), ==, expected);
  screenshot (GTK_WIDGET (dialog), "recovery-key-again");
  click_response (ADW_MESSAGE_DIALOG (dialog), "I Have _Saved It");
  g_assert_true (sotto_ui_wait_until (recovery_key_gone, NULL, 10));
  gtk_window_destroy (GTK_WINDOW (preferences));
}

static void
identity_changed_cb (SottoClient *client,
                     const char  *user,
                     gboolean     was_verified,
                     gpointer     user_data)
{
  guint *changes = user_data;

  (*changes)++;
}

typedef struct
{
  SottoRoom  *room;
  const char *sender;
  const char *text;
} Expected;

static gboolean
message_arrived (gpointer data)
{
  Expected *expected = data;
  SottoMessage *message = sotto_ui_find_message (expected->room, expected->text);

  return message != NULL && sotto_message_get_state (message) == SOTTO_MESSAGE_RECEIVED &&
         g_strcmp0 (sotto_message_get_sender (message), expected->sender) == 0;
}

static GtkEditable *
key_entry (AdwMessageDialog *dialog)
{
  GtkWidget *entry = sotto_ui_find_widget (adw_message_dialog_get_extra_child (dialog),
                                           GTK_TYPE_ENTRY);

  g_assert_nonnull (entry);
  return GTK_EDITABLE (entry);
}

/* Alice's only computer is gone; on this one, the login tells her it is
 * not linked, and offers her recovery key. Dismissed, the form keeps the
 * sentence; another account's key is refused with a sentence; hers, typed
 * as from paper, signs her in. Bob sees no key change, and what he says
 * next reaches this computer. */
static void
test_from_not_linked (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autoptr(SottoClient) lost = NULL;
  g_autofree char *lost_dir = g_build_filename (fixture->dir, "alice", NULL);
  g_autofree char *recovery_key = NULL;
  g_autofree char *bob_key = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *number = NULL;
  g_autofree char *number_after = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *asking;
  GtkEditable *entry;
  Expected expected;
  guint changes = 0;

  lost = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  fixture->bob = sotto_test_user_new (fixture->dir, fixture->address, "bob", PASSWORD);
  recovery_key = sotto_client_get_recovery_key (lost);
  bob_key = sotto_client_get_recovery_key (fixture->bob);
  while (sotto_room_lookup_member (sotto_client_lookup_room (fixture->bob, "general"),
                                   "alice") == NULL)
    g_main_context_iteration (NULL, TRUE);
  number = sotto_client_safety_number (fixture->bob, "alice");
  g_assert_nonnull (number);
  g_signal_connect (fixture->bob, "identity-changed", G_CALLBACK (identity_changed_cb),
                    &changes);
  sotto_client_close (lost);
  g_clear_object (&lost);
  sotto_test_remove_dir (lost_dir);

  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Trust This Server?", 30));
  click_response (find_dialog ("Trust This Server?"), "_Trust and Connect");
  g_assert_true (sotto_ui_wait_until (dialog_shown, "This Computer Is Not Linked", 30));
  dialog = find_dialog ("This Computer Is Not Linked");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "recovery key"));
  g_assert_true (adw_message_dialog_has_response (dialog, "recover"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "link");
  screenshots (GTK_WIDGET (dialog), "recovery-not-linked-dialog");

  /* Dismissed: the form says what the not-linked dialog said. */
  click_response (dialog, "Use _Recovery Key…");
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Use the Recovery Key", 10));
  asking = find_dialog ("Use the Recovery Key");
  g_assert_false (adw_message_dialog_get_response_enabled (asking, "recover"));
  screenshot (GTK_WIDGET (asking), "recovery-ask-empty");
  click_response (asking, "_Cancel");
  g_assert_true (sotto_ui_wait_until (login_failed, fixture, 30));
  g_assert_nonnull (strstr (sotto_login_view_get_error (login), "not linked to alice’s account"));
  g_assert_null (sotto_window_get_client (fixture->window));

  /* Bob's key is not hers. */
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "This Computer Is Not Linked", 30));
  click_response (find_dialog ("This Computer Is Not Linked"), "Use _Recovery Key…");
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Use the Recovery Key", 10));
  asking = find_dialog ("Use the Recovery Key");
  gtk_editable_set_text (key_entry (asking), bob_key);
  click_response (asking, "_Sign In");
  g_assert_true (sotto_ui_wait_until (login_failed, fixture, 30));
  g_assert_nonnull (strstr (sotto_login_view_get_error (login), "not this account’s"));
  g_assert_null (sotto_window_get_client (fixture->window));
  screenshot (GTK_WIDGET (fixture->window), "recovery-wrong-key");

  /* Hers, as typed from paper: lower case, spaces for the dashes. */
  typed = g_ascii_strdown (recovery_key, -1);
  g_strdelimit (typed, "-", ' ');
  sotto_login_view_submit (login);
  g_assert_true (sotto_ui_wait_until (dialog_shown, "This Computer Is Not Linked", 30));
  click_response (find_dialog ("This Computer Is Not Linked"), "Use _Recovery Key…");
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Use the Recovery Key", 10));
  asking = find_dialog ("Use the Recovery Key");
  entry = key_entry (asking);
  gtk_editable_set_text (entry, typed);
  g_assert_true (adw_message_dialog_get_response_enabled (asking, "recover"));
  screenshots (GTK_WIDGET (asking), "recovery-ask-typed");
  click_response (asking, "_Sign In");
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_assert_cmpstr (sotto_client_get_user (sotto_window_get_client (fixture->window)), ==,
                   "alice");
  g_assert_false (recovery_key_shown (NULL));

  /* Bob sees no change; what he says next reaches this computer. */
  sotto_test_user_say (fixture->bob, sotto_client_lookup_room (fixture->bob, "general"),
                       "welcome back");
  expected.room = sotto_client_lookup_room (sotto_window_get_client (fixture->window), "general");
  expected.sender = "bob";
  expected.text = "welcome back";
  g_assert_nonnull (expected.room);
  g_assert_true (sotto_ui_wait_until (message_arrived, &expected, 30));
  number_after = sotto_client_safety_number (fixture->bob, "alice");
  g_assert_cmpstr (number_after, ==, number);
  g_assert_cmpuint (changes, ==, 0);
  screenshots (GTK_WIDGET (fixture->window), "recovery-signed-in");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sotto_ui_test_init (&argc, &argv);
  sotto_ui_notifications_start ();
  the_app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (the_app), NULL, &error));
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/sotto/ui/recover/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("registered", test_registered);
  ADD ("preferences", test_preferences);
  ADD ("from-not-linked", test_from_not_linked);
#undef ADD

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
