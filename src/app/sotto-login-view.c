/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sotto-login-view-private.h"

/*
 * The login and registration form. It connects, asks the user to trust a
 * server seen for the first time, logs in or creates the account, and
 * hands the logged-in client to the window. Every failure is a sentence
 * under the form, which stays filled. Its owner gives it the configuration
 * (data folder, password hashing cost, settings for the last login).
 *
 * The form's texts and checks live in sotto-login-view-form.c, the steps
 * of one attempt in sotto-login-view-connect.c, and the page that shows
 * a link code, for a computer that links itself to an account instead of
 * logging in, in sotto-login-view-link.c.
 */

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_CREATING,
  PROP_BUSY,
  N_PROPS
};

enum {
  LOGGED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SottoLoginView, sotto_login_view, ADW_TYPE_BIN)

/* The spinner turns in the button of what the attempt does. */
static void
set_busy (SottoLoginView *self,
          gboolean        busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  /* Focus leaves the form before it turns insensitive, so that no entry
   * is left focused and disabled. */
  if (busy && GTK_IS_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))))
    gtk_window_set_focus (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), NULL);
  _sotto_login_view_update_spinners (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->link_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Ends the attempt under way, if any: what is left of it is cancelled
 * and ends quietly, and the form is shown again, with @error_text (if
 * any) under it. */
static void
stop_attempt (SottoLoginView *self,
              const char     *error_text)
{
  g_autoptr(SottoClient) client = g_steal_pointer (&self->client);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (client != NULL)
    sotto_client_close (client);
  set_busy (self, FALSE);
  _sotto_login_view_set_linking (self, FALSE);
  _sotto_login_view_link_hide (self);
  _sotto_login_view_show_error (self, error_text);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

/* The end of an attempt: success hands the client on. */
static void
finish (SottoLoginView *self,
        const char     *error_text)
{
  g_autoptr(SottoClient) client = NULL;

  if (error_text != NULL)
    {
      stop_attempt (self, error_text);
      return;
    }

  client = g_steal_pointer (&self->client);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  _sotto_login_view_set_linking (self, FALSE);
  _sotto_login_view_link_hide (self);

  if (self->config != NULL)
    {
      GSettings *settings = sotto_app_config_get_settings (self->config);

      g_settings_set_string (settings, "last-server",
                             gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
      g_settings_set_string (settings, "last-username", sotto_client_get_user (client));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  _sotto_login_view_show_error (self, NULL);

  g_signal_emit (self, signals[LOGGED_IN], 0, client);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SottoLoginView *self = SOTTO_LOGIN_VIEW (object);
  g_autoptr(GError) error = NULL;

  if (!_sotto_login_view_connect_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      finish (self, error->message);
      return;
    }
  finish (self, NULL);
}

/* Starts an attempt with what the form holds: a login (or a
 * registration), or a link of this computer. */
static void
start_attempt (SottoLoginView *self,
               gboolean        linking)
{
  const char *problem;
  GtkWidget *field = NULL;
  g_autofree char *data_dir = NULL;
  guint64 opslimit = 0;
  gsize memlimit = 0;

  if (self->busy)
    return;

  if ((problem = _sotto_login_view_check_form (self, &field)) != NULL)
    {
      /* The row it concerns is marked, and has the focus. */
      _sotto_login_view_show_error (self, problem);
      gtk_widget_add_css_class (field, "error");
      gtk_widget_grab_focus (field);
      return;
    }

  _sotto_login_view_show_error (self, NULL);
  self->linking = linking;
  set_busy (self, TRUE);

  if (self->config != NULL)
    {
      data_dir = g_strdup (sotto_app_config_get_data_dir (self->config));
      sotto_app_config_get_pwhash_limits (self->config, &opslimit, &memlimit);
    }
  else
    data_dir = g_build_filename (g_get_user_data_dir (), "sotto", NULL);

  self->cancellable = g_cancellable_new ();
  self->client = sotto_client_new (data_dir,
                                   gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
  if (opslimit != 0 && memlimit != 0)
    sotto_client_set_pwhash_limits (self->client, opslimit, memlimit);
  _sotto_login_view_link_attach (self);
  _sotto_login_view_connect_async (self, connected_cb, NULL);
}

/**
 * sotto_login_view_link:
 *
 * What "Link to an Existing Device" does: connects to the server of the
 * form, as a login does, and links this computer to the account of the
 * form, showing the code to type on a computer where it is signed in.
 */
void
sotto_login_view_link (SottoLoginView *self)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  if (self->busy)
    return;

  sotto_login_view_set_creating (self, FALSE);
  start_attempt (self, TRUE);
}

/**
 * sotto_login_view_cancel_link:
 *
 * What Cancel under the link code does: the link ends, and the form is
 * back as it was.
 */
void
sotto_login_view_cancel_link (SottoLoginView *self)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  if (!self->busy || !self->linking)
    return;

  stop_attempt (self, NULL);
}

static void
link_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_link (self);
}

static void
link_cancel_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_cancel_link (self);
}

/**
 * sotto_login_view_submit:
 *
 * What "Log In" (or "Create Account") does.
 */
void
sotto_login_view_submit (SottoLoginView *self)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  start_attempt (self, FALSE);
}

static void
submit_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_submit (self);
}

/* Enter in a field moves on to the next empty one, or submits. */
static void
entry_activated_cb (SottoLoginView *self,
                    AdwEntryRow    *row)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->server_row), GTK_WIDGET (self->username_row),
    GTK_WIDGET (self->password_row), GTK_WIDGET (self->confirm_row),
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (gtk_widget_get_visible (rows[i]) &&
        *gtk_editable_get_text (GTK_EDITABLE (rows[i])) == '\0')
      {
        gtk_widget_grab_focus (rows[i]);
        return;
      }

  sotto_login_view_submit (self);
}

static void
form_changed_cb (SottoLoginView *self,
                 GtkEditable    *row)
{
  /* Changed, a row is no longer the one in error. */
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), !self->busy);
}

static void
mode_clicked_cb (SottoLoginView *self)
{
  sotto_login_view_set_creating (self, !self->creating);
}

static void
sotto_login_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SottoLoginView *self = SOTTO_LOGIN_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_CREATING:
      g_value_set_boolean (value, self->creating);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_login_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SottoLoginView *self = SOTTO_LOGIN_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      sotto_login_view_set_config (self, g_value_get_object (value));
      break;
    case PROP_CREATING:
      sotto_login_view_set_creating (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sotto_login_view_dispose (GObject *object)
{
  SottoLoginView *self = SOTTO_LOGIN_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    sotto_client_close (self->client);
  g_clear_object (&self->client);
  g_clear_object (&self->config);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOTTO_TYPE_LOGIN_VIEW);

  G_OBJECT_CLASS (sotto_login_view_parent_class)->dispose (object);
}

static void
sotto_login_view_class_init (SottoLoginViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sotto_login_view_dispose;
  object_class->get_property = sotto_login_view_get_property;
  object_class->set_property = sotto_login_view_set_property;

  /**
   * SottoLoginView:config:
   *
   * Where accounts live, how hard passwords are hashed, and the settings
   * that remember the last login. Without one, the user's data folder.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, SOTTO_TYPE_APP_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATING] =
    g_param_spec_boolean ("creating", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SottoLoginView::logged-in:
   * @client: the client, online and logged in
   */
  signals[LOGGED_IN] =
    g_signal_new ("logged-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SOTTO_TYPE_CLIENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_RESOURCE_PATH "/ui/sotto-login-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, server_row);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, username_row);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, password_row);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, rules_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, error_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, submit_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, submit_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, mode_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_button);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_page);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_code_label);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_waiting_spinner);
  gtk_widget_class_bind_template_child (widget_class, SottoLoginView, link_cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, submit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, mode_clicked_cb);

  gtk_widget_class_bind_template_callback (widget_class, link_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, link_cancel_clicked_cb);
}

static void
sotto_login_view_init (SottoLoginView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), "localhost:7777");
  _sotto_login_view_update_mode (self);
}

SottoAppConfig *
sotto_login_view_get_config (SottoLoginView *self)
{
  g_return_val_if_fail (SOTTO_IS_LOGIN_VIEW (self), NULL);
  return self->config;
}

/**
 * sotto_login_view_set_config:
 *
 * Where the form finds the data folder and remembers the last login; a
 * new configuration fills the form with the last login it remembers.
 */
void
sotto_login_view_set_config (SottoLoginView *self,
                             SottoAppConfig *config)
{
  GSettings *settings;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));
  g_return_if_fail (config == NULL || SOTTO_IS_APP_CONFIG (config));

  if (!g_set_object (&self->config, config))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
  if (config == NULL)
    return;

  settings = sotto_app_config_get_settings (config);
  server = g_settings_get_string (settings, "last-server");
  username = g_settings_get_string (settings, "last-username");
  if (*server != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  /* A returning user starts at the password; someone who never logged in
   * on this computer, at making an account. */
  sotto_login_view_set_creating (self, *username == '\0');
  if (*username != '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
}

void
sotto_login_view_set_creating (SottoLoginView *self,
                               gboolean        creating)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  creating = !!creating;
  if (self->creating == creating)
    return;

  self->creating = creating;
  _sotto_login_view_update_mode (self);
  _sotto_login_view_show_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATING]);
}

gboolean
sotto_login_view_get_creating (SottoLoginView *self)
{
  g_return_val_if_fail (SOTTO_IS_LOGIN_VIEW (self), FALSE);
  return self->creating;
}

gboolean
sotto_login_view_get_busy (SottoLoginView *self)
{
  g_return_val_if_fail (SOTTO_IS_LOGIN_VIEW (self), FALSE);
  return self->busy;
}

/**
 * sotto_login_view_reset:
 * @error_text: (nullable): why the user is back at the form
 *
 * The form after a log-out: server and username kept, passwords cleared.
 */
void
sotto_login_view_reset (SottoLoginView *self,
                        const char     *error_text)
{
  g_return_if_fail (SOTTO_IS_LOGIN_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  sotto_login_view_set_creating (self, FALSE);
  _sotto_login_view_show_error (self, error_text);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}
