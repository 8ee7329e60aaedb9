/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "sotto-application.h"
#include "sotto-link-dialog.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"
#include "sotto-test-util.h"
#include "sotto-ui-test.h"
#include "sotto-window.h"

/*
 * Linking a second computer in the app, against a real sotto-server: the
 * app as the new computer, which shows a code and waits, and as the
 * computer signed in, which takes the code and approves the new one. The
 * other computer of each is a client core in this process, from
 * sotto-test-users. Screenshots in the light and the dark style.
 */

#define PASSWORD "correct horse battery"

static const char *const link_timeout_2[] = { "--link-timeout", "2", NULL };

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
  SottoClient      *alice;    /* alice on another computer */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *app_dir = NULL;

  fixture->server = sotto_test_server_start (NULL, (const char *const *) data);
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
         (dialog = sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->alice != NULL)
    sotto_client_close (fixture->alice);
  g_clear_object (&fixture->alice);
  sotto_test_iterate (50);
  g_clear_object (&fixture->app);

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

/* Both styles of what @widget shows. */
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
  g_signal_emit_by_name (button, "clicked");
}

/* The first contact with the server: the user trusts its key. */
static void
trust_server (void)
{
  g_assert_true (sotto_ui_wait_until (dialog_shown, "Trust This Server?", 30));
  click_response (find_dialog ("Trust This Server?"), "_Trust and Connect");
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
code_shown (gpointer data)
{
  Fixture *fixture = data;

  return sotto_login_view_get_link_code (sotto_window_get_login_view (fixture->window)) != NULL;
}

static gboolean
back_at_form (gpointer data)
{
  Fixture *fixture = data;
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  return !sotto_login_view_get_busy (login) && sotto_login_view_get_error (login) != NULL;
}

static const char *
status_page_description (Fixture *fixture)
{
  GtkWidget *login = GTK_WIDGET (sotto_window_get_login_view (fixture->window));
  GtkWidget *page = sotto_ui_find_widget (login, ADW_TYPE_STATUS_PAGE);

  g_assert_nonnull (page);
  return adw_status_page_get_description (ADW_STATUS_PAGE (page));
}

/* The code as the app shows it: four groups of four, with dashes. */
static void
assert_code_shape (const char *code)
{
  g_assert_cmpint (strlen (code), ==, 19);
  for (guint i = 0; i < 19; i++)
    if (i % 5 == 4)
      g_assert_cmpint (code[i], ==, '-');
    else
      g_assert_true (g_ascii_isalnum (code[i]));
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
async_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* The new computer */

/* Alice's account lives on another computer. Here, the form filled, she
 * chooses Link to an Existing Device: after the server's key, the app
 * shows a code and says where to type it; her other computer approves
 * the code, and the app is logged in as her. */
static void
test_new_computer (Fixture       *fixture,
                   gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);

  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_link (login);
  g_assert_true (sotto_login_view_get_busy (login));
  trust_server ();
  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));

  code = g_strdup (sotto_login_view_get_link_code (login));
  assert_code_shape (code);
  g_assert_nonnull (strstr (status_page_description (fixture),
                            "On a computer where alice is signed in"));
  g_assert_nonnull (strstr (status_page_description (fixture), "Link a New Device"));
  g_assert_true (sotto_login_view_get_busy (login));
  g_assert_null (sotto_login_view_get_error (login));
  screenshots (GTK_WIDGET (fixture->window), "link-code-page");

  pending = sotto_test_user_open_link (fixture->alice, code, &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_user_approve_link (fixture->alice, pending, &error));
  g_assert_no_error (error);

  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_assert_cmpstr (sotto_client_get_user (sotto_window_get_client (fixture->window)), ==,
                   "alice");
  g_assert_false (sotto_login_view_get_busy (login));
  g_assert_null (sotto_login_view_get_link_code (login));
  /* Alice's first computer stays signed in: this one is hers too. */
  g_assert_cmpint (sotto_client_get_state (fixture->alice), ==, SOTTO_CLIENT_ONLINE);
  screenshot (GTK_WIDGET (fixture->window), "link-linked");
}

static void
history_progress_cb (SottoClient *client,
                     const char  *device,
                     gboolean     sending,
                     guint        done,
                     guint        total,
                     gpointer     user_data)
{
  if (!sending && done >= total)
    *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Alice's other computer, which has read #general, approves this one and
 * sends it the history: the room shows what was said before, and a toast
 * says where it came from. */
static void
test_receive_history (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  SottoRoom *general;
  SottoRoom *shown;
  gboolean received = FALSE;

  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  general = sotto_test_user_join (fixture->alice, "general");
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->alice, general,
                                                  "Notes from Monday: the plan holds"));
  sotto_test_user_wait_sent (sotto_test_user_say (fixture->alice, general,
                                                  "Remember to bring the slides"));

  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_link (login);
  trust_server ();
  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));
  pending = sotto_test_user_open_link (fixture->alice, sotto_login_view_get_link_code (login),
                                       &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_user_approve_link (fixture->alice, pending, &error));
  g_assert_no_error (error);
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_signal_connect (sotto_window_get_client (fixture->window), "history-progress",
                    G_CALLBACK (history_progress_cb), &received);

  sotto_client_send_history_async (fixture->alice, sotto_link_pending_get_device (pending), NULL,
                                   result_cb, &result);
  g_assert_true (sotto_ui_wait_until (flag_set, &received, 30));
  g_assert_true (sotto_ui_wait_until (async_done, &result, 30));
  g_assert_cmpint (sotto_client_send_history_finish (fixture->alice, result, &error), ==, 2);
  g_assert_no_error (error);

  shown = sotto_window_get_room (fixture->window);
  g_assert_nonnull (shown);
  g_assert_cmpstr (sotto_room_get_name (shown), ==, "general");
  g_assert_cmpuint (sotto_test_room_count_text (shown, "alice", "Remember to bring the slides"),
                    ==, 1);
  g_assert_cmpuint (sotto_test_room_count_text (shown, "alice",
                                                "Notes from Monday: the plan holds"), ==, 1);
  screenshots (GTK_WIDGET (fixture->window), "history-received");

  /* Alice is one member, on two computers. */
  {
    SottoMember *me = sotto_room_lookup_member (shown, "alice");

    g_assert_nonnull (me);
    g_assert_cmpuint (sotto_member_get_devices (me), ==, 2);
    gtk_widget_activate_action (GTK_WIDGET (sotto_window_get_room_view (fixture->window)),
                                "room.toggle-members", NULL);
    screenshot (GTK_WIDGET (fixture->window), "members-devices");
  }
}

/* Cancel under the code: the form is back, with nothing under it, and
 * the code opens nothing any more; the form can link again at once. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  GtkWidget *cancel;

  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_link (login);
  trust_server ();
  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));
  code = g_strdup (sotto_login_view_get_link_code (login));

  cancel = sotto_ui_find_button (GTK_WIDGET (login), "_Cancel");
  g_assert_nonnull (cancel);
  g_assert_true (gtk_widget_get_mapped (cancel));
  g_signal_emit_by_name (cancel, "clicked");
  g_assert_false (sotto_login_view_get_busy (login));
  g_assert_null (sotto_login_view_get_link_code (login));
  g_assert_null (sotto_login_view_get_error (login));
  g_assert_null (sotto_window_get_client (fixture->window));

  /* The server lets the offer go with the connection. */
  sotto_test_iterate (300);
  pending = sotto_test_user_open_link (fixture->alice, code, &error);
  g_assert_null (pending);
  g_assert_nonnull (strstr (error->message, "No new computer is waiting"));
  g_clear_error (&error);

  sotto_login_view_link (login);
  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));
  g_assert_cmpstr (sotto_login_view_get_link_code (login), !=, code);
  sotto_login_view_cancel_link (login);
  g_assert_false (sotto_login_view_get_busy (login));
}

/* Nobody approves in time: the form is back, saying the code expired. */
static void
test_expired (Fixture       *fixture,
              gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_link (login);
  trust_server ();
  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));

  g_assert_true (sotto_ui_wait_until (back_at_form, fixture, 30));
  g_assert_nonnull (strstr (sotto_login_view_get_error (login), "expired"));
  g_assert_null (sotto_login_view_get_link_code (login));
  g_assert_null (sotto_window_get_client (fixture->window));
  screenshot (GTK_WIDGET (fixture->window), "link-expired");
}

/* A login on a computer that is not linked: the dialog offers the link
 * first, which goes on as Link to an Existing Device does. */
static void
test_from_not_linked (Fixture       *fixture,
                      gconstpointer  data)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);
  AdwMessageDialog *dialog;
  g_autoptr(SottoLinkPending) pending = NULL;
  g_autoptr(GError) error = NULL;

  fixture->alice = sotto_test_user_new (fixture->dir, fixture->address, "alice", PASSWORD);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  trust_server ();
  g_assert_true (sotto_ui_wait_until (dialog_shown, "This Computer Is Not Linked", 30));
  dialog = find_dialog ("This Computer Is Not Linked");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Link This Computer"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "link"), ==,
                   ADW_RESPONSE_SUGGESTED);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "link");
  g_assert_true (adw_message_dialog_has_response (dialog, "reset"));
  screenshot (GTK_WIDGET (dialog), "link-not-linked-dialog");
  click_response (dialog, "_Link This Computer");
  g_assert_null (find_dialog ("This Computer Is Not Linked"));

  g_assert_true (sotto_ui_wait_until (code_shown, fixture, 30));
  pending = sotto_test_user_open_link (fixture->alice, sotto_login_view_get_link_code (login),
                                       &error);
  g_assert_no_error (error);
  g_assert_true (sotto_test_user_approve_link (fixture->alice, pending, &error));
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_assert_cmpstr (sotto_client_get_user (sotto_window_get_client (fixture->window)), ==,
                   "alice");
}

/* The approving computer */

/* Alice, through the form, on a server seen for the first time. */
static void
register_alice (Fixture *fixture)
{
  SottoLoginView *login = sotto_window_get_login_view (fixture->window);

  sotto_login_view_set_creating (login, TRUE);
  sotto_login_view_fill (login, fixture->address, "alice", PASSWORD);
  sotto_login_view_submit (login);
  trust_server ();
  g_assert_true (sotto_ui_wait_until (logged_in, fixture, 30));
  g_free (sotto_ui_dismiss_recovery_key ());
}

static SottoLinkDialog *
open_link_dialog (Fixture *fixture)
{
  SottoLinkDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.link-device", NULL);
  dialog = SOTTO_LINK_DIALOG (sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) ==
                 GTK_WINDOW (fixture->window));
  sotto_ui_settle (GTK_WIDGET (dialog));
  return dialog;
}

static gboolean
dialog_idle (gpointer data)
{
  return !sotto_link_dialog_get_busy (data);
}

static gboolean
history_sent (gpointer data)
{
  return sotto_link_dialog_get_history_sent (data);
}

static gboolean
link_dialog_gone (gpointer data)
{
  return sotto_ui_find_window (SOTTO_TYPE_LINK_DIALOG) == NULL;
}

/* What the dialog names the computer: its host name, as the core does. */
static const char *
expected_name (void)
{
  const char *host = g_get_host_name ();

  return strlen (host) <= 64 && g_utf8_validate (host, -1, NULL) ? host : NULL;
}

/* Alice is signed in here; a laptop shows a code. She chooses Link a
 * New Device, types the code, sees the laptop's name and links it: the
 * laptop ends its link logged in as her. */
static void
test_approve (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SottoTestNewComputer) laptop = NULL;
  SottoLinkDialog *dialog;
  const char *name = expected_name ();

  register_alice (fixture);
  laptop = sotto_test_new_computer_link (fixture->dir, fixture->address, "laptop", "alice",
                                         PASSWORD, NULL);
  sotto_test_new_computer_wait_code (laptop);
  g_assert_no_error (laptop->error);

  dialog = open_link_dialog (fixture);
  g_assert_null (sotto_link_dialog_get_question (dialog));
  sotto_link_dialog_set_code (dialog, laptop->code);
  screenshots (GTK_WIDGET (dialog), "link-approve-code");

  sotto_link_dialog_open_code (dialog);
  g_assert_true (sotto_link_dialog_get_busy (dialog));
  g_assert_true (sotto_ui_wait_until (dialog_idle, dialog, 30));
  g_assert_null (sotto_link_dialog_get_error (dialog));
  g_assert_nonnull (sotto_link_dialog_get_question (dialog));
  g_assert_true (g_str_has_prefix (sotto_link_dialog_get_question (dialog), "Link “"));
  g_assert_true (g_str_has_suffix (sotto_link_dialog_get_question (dialog),
                                   "” to your account?"));
  if (name != NULL)
    {
      g_autofree char *question = g_strdup_printf ("Link “%s” to your account?", name);

      g_assert_cmpstr (sotto_link_dialog_get_question (dialog), ==, question);
    }
  screenshots (GTK_WIDGET (dialog), "link-approve-confirm");
  g_assert_false (laptop->done);

  sotto_link_dialog_approve (dialog);
  g_assert_true (sotto_ui_wait_until (link_dialog_gone, NULL, 30));
  sotto_test_new_computer_wait_done (laptop);
  g_assert_no_error (laptop->error);
  g_assert_true (laptop->ok);
  g_assert_cmpint (sotto_client_get_state (laptop->client), ==, SOTTO_CLIENT_ONLINE);
  g_assert_cmpstr (sotto_client_get_user (laptop->client), ==, "alice");
  screenshot (GTK_WIDGET (fixture->window), "link-approved");
}


/* Alice here has read #general; she links a laptop and leaves "Send
 * Message History" on: the dialog shows it going, then that it went, and
 * the laptop reads what was said before it was linked. */
static void
test_approve_history (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SottoTestNewComputer) laptop = NULL;
  SottoClient *client;
  SottoLinkDialog *dialog;
  SottoRoom *general;
  SottoRoom *laptop_general;

  register_alice (fixture);
  client = sotto_window_get_client (fixture->window);
  general = sotto_client_lookup_room (client, "general");
  g_assert_nonnull (general);
  sotto_test_user_wait_sent (sotto_test_user_say (client, general, "Lunch at noon?"));
  sotto_test_user_wait_sent (sotto_test_user_say (client, general, "I booked the table"));
  sotto_test_user_wait_sent (sotto_test_user_say (client, general, "See you there"));

  laptop = sotto_test_new_computer_link (fixture->dir, fixture->address, "laptop", "alice",
                                         PASSWORD, NULL);
  sotto_test_new_computer_wait_code (laptop);
  g_assert_no_error (laptop->error);

  dialog = open_link_dialog (fixture);
  sotto_link_dialog_set_code (dialog, laptop->code);
  sotto_link_dialog_open_code (dialog);
  g_assert_true (sotto_ui_wait_until (dialog_idle, dialog, 30));
  g_assert_nonnull (sotto_link_dialog_get_question (dialog));
  sotto_link_dialog_set_send_history (dialog, TRUE);

  sotto_link_dialog_approve (dialog);
  g_assert_true (sotto_ui_wait_until (history_sent, dialog, 30));
  screenshots (GTK_WIDGET (dialog), "link-history-sent");

  sotto_test_new_computer_wait_done (laptop);
  g_assert_no_error (laptop->error);
  laptop_general = sotto_client_lookup_room (laptop->client, "general");
  g_assert_nonnull (laptop_general);
  sotto_test_user_wait_for_text (laptop_general, "alice", "Lunch at noon?");
  sotto_test_user_wait_for_text (laptop_general, "alice", "See you there");

  /* Done closes it. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  g_assert_true (sotto_ui_wait_until (link_dialog_gone, NULL, 30));
}

/* Codes that open nothing are told in the dialog, which stays on the
 * code, and nothing is approved; the code fixed, the dialog asks. */
static void
test_wrong_code (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SottoTestNewComputer) laptop = NULL;
  g_autofree char *mistyped = NULL;
  SottoLinkDialog *dialog;

  register_alice (fixture);
  laptop = sotto_test_new_computer_link (fixture->dir, fixture->address, "laptop", "alice",
                                         PASSWORD, NULL);
  sotto_test_new_computer_wait_code (laptop);
  g_assert_no_error (laptop->error);
  dialog = open_link_dialog (fixture);

  sotto_link_dialog_set_code (dialog, "not a code");
  sotto_link_dialog_open_code (dialog);
  g_assert_true (sotto_ui_wait_until (dialog_idle, dialog, 30));
  g_assert_nonnull (sotto_link_dialog_get_error (dialog));
  g_assert_nonnull (strstr (sotto_link_dialog_get_error (dialog), "not a link code"));
  g_assert_null (sotto_link_dialog_get_question (dialog));

  /* One character typed wrong is another code, under which nobody waits. */
  mistyped = g_strdup (laptop->code);
  mistyped[0] = mistyped[0] == '7' ? '8' : '7';
  sotto_link_dialog_set_code (dialog, mistyped);
  g_assert_null (sotto_link_dialog_get_error (dialog));
  sotto_link_dialog_open_code (dialog);
  g_assert_true (sotto_ui_wait_until (dialog_idle, dialog, 30));
  g_assert_nonnull (strstr (sotto_link_dialog_get_error (dialog), "No new computer is waiting"));
  g_assert_null (sotto_link_dialog_get_question (dialog));
  screenshots (GTK_WIDGET (dialog), "link-approve-wrong-code");

  sotto_test_iterate (200);
  g_assert_false (laptop->done);

  sotto_link_dialog_set_code (dialog, laptop->code);
  sotto_link_dialog_open_code (dialog);
  g_assert_true (sotto_ui_wait_until (dialog_idle, dialog, 30));
  g_assert_null (sotto_link_dialog_get_error (dialog));
  g_assert_nonnull (sotto_link_dialog_get_question (dialog));

  /* Cancel: the laptop is not approved, and waits on. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (sotto_ui_wait_until (link_dialog_gone, NULL, 10));
  sotto_test_iterate (200);
  g_assert_false (laptop->done);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  sotto_ui_test_init (&argc, &argv);
  the_app = sotto_application_new ();
  g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (the_app), NULL, &error));
  g_assert_no_error (error);

#define ADD(path, data, func) \
  g_test_add ("/sotto/ui/link/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("new-computer", NULL, test_new_computer);
  ADD ("cancel", NULL, test_cancel);
  ADD ("expired", link_timeout_2, test_expired);
  ADD ("from-not-linked", NULL, test_from_not_linked);
  ADD ("approve", NULL, test_approve);
  ADD ("wrong-code", NULL, test_wrong_code);
  ADD ("approve-history", NULL, test_approve_history);
  ADD ("receive-history", NULL, test_receive_history);
#undef ADD

  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
