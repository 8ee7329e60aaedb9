/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-client.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_LINK_DIALOG (sotto_link_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SottoLinkDialog, sotto_link_dialog, SOTTO, LINK_DIALOG, AdwWindow)

SottoLinkDialog *sotto_link_dialog_new          (GtkWindow       *parent,
                                                 SottoClient     *client);
void             sotto_link_dialog_set_code     (SottoLinkDialog *self,
                                                 const char      *code);
void             sotto_link_dialog_open_code    (SottoLinkDialog *self);
void             sotto_link_dialog_approve      (SottoLinkDialog *self);
gboolean         sotto_link_dialog_get_busy     (SottoLinkDialog *self);
const char      *sotto_link_dialog_get_error    (SottoLinkDialog *self);
const char      *sotto_link_dialog_get_question (SottoLinkDialog *self);
void             sotto_link_dialog_set_send_history (SottoLinkDialog *self,
                                                     gboolean         send);
gboolean         sotto_link_dialog_get_history_sent (SottoLinkDialog *self);

G_END_DECLS
