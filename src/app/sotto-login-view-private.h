/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-login-view.h"

G_BEGIN_DECLS

struct _SottoLoginView
{
  AdwBin               parent_instance;

  GtkLabel            *subtitle_label;
  AdwEntryRow         *server_row;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  AdwPasswordEntryRow *confirm_row;
  GtkLabel            *rules_label;
  GtkLabel            *error_label;
  GtkButton           *submit_button;
  GtkSpinner          *spinner;
  GtkLabel            *submit_label;
  GtkButton           *mode_button;
  GtkButton           *link_button;
  GtkSpinner          *link_spinner;
  GtkStack            *page_stack;
  AdwStatusPage       *link_page;
  GtkLabel            *link_code_label;
  GtkSpinner          *link_waiting_spinner;
  GtkButton           *link_cancel_button;

  SottoAppConfig      *config;
  SottoClient         *client;        /* while logging in */
  GCancellable        *cancellable;
  gboolean             creating;
  gboolean             busy;
  gboolean             linking;       /* the attempt links this computer */
};

/* sotto-login-view-form.c */
void        _sotto_login_view_show_error     (SottoLoginView      *self,
                                              const char          *text);
void        _sotto_login_view_update_mode    (SottoLoginView      *self);
const char *_sotto_login_view_check_form     (SottoLoginView      *self,
                                              GtkWidget          **field);

/* sotto-login-view-link.c */
void        _sotto_login_view_link_attach    (SottoLoginView      *self);
void        _sotto_login_view_link_hide      (SottoLoginView      *self);
void        _sotto_login_view_update_spinners (SottoLoginView     *self);
void        _sotto_login_view_set_linking    (SottoLoginView      *self,
                                              gboolean             linking);

/* sotto-login-view-recover.c */
void        _sotto_login_view_recover_async  (SottoLoginView      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    _sotto_login_view_recover_finish (SottoLoginView      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* sotto-login-view-connect.c */
void        _sotto_login_view_connect_async  (SottoLoginView      *self,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    _sotto_login_view_connect_finish (SottoLoginView      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
