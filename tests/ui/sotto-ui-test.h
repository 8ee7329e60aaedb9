/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-application.h"
#include "sotto-client.h"
#include "sotto-test-server.h"
#include "sotto-window.h"
#include "sotto-message-row.h"

G_BEGIN_DECLS

typedef gboolean (*SottoUiCondition) (gpointer data);

void         sotto_ui_test_init       (int              *argc,
                                       char           ***argv);
char        *sotto_ui_screenshot      (GtkWidget        *widget,
                                       const char       *name);
gboolean     sotto_ui_wait_until      (SottoUiCondition  condition,
                                       gpointer          data,
                                       guint             seconds);
void         sotto_ui_settle          (GtkWidget        *widget);
GtkWindow   *sotto_ui_find_window     (GType             type);
char        *sotto_ui_dismiss_recovery_key (void);
GtkWidget   *sotto_ui_find_widget     (GtkWidget        *root,
                                       GType             type);
GtkLabel    *sotto_ui_find_label      (GtkWidget        *root,
                                       const char       *text);
GtkWidget   *sotto_ui_find_button     (GtkWidget        *root,
                                       const char       *text);
GtkWidget   *sotto_ui_find_icon       (GtkWidget        *root,
                                       const char       *icon_name);
SottoMessage *sotto_ui_find_message   (SottoRoom        *room,
                                       const char       *text);
void         sotto_ui_press_key       (GtkWidget        *widget,
                                       guint             keyval,
                                       GdkModifierType   state);
AdwMessageDialog *sotto_ui_find_dialog (const char      *heading);
void         sotto_ui_click_response  (AdwMessageDialog *dialog,
                                       const char       *label);
void         sotto_ui_trust_server    (void);
SottoClient *sotto_ui_register        (GtkWindow        *window,
                                       const char       *address,
                                       const char       *user,
                                       const char       *password);

typedef struct
{
  guint  id;
  char  *summary;
  char  *body;
} SottoUiNotification;

void       sotto_ui_notifications_start  (void);
GPtrArray *sotto_ui_notifications_get    (void);
void       sotto_ui_notifications_click  (guint             id);

SottoMessageRow *sotto_ui_find_message_row (GtkWidget    *root,
                                            SottoMessage *message);

/**
 * SottoUiSetup:
 * @server: a real sotto-server on 127.0.0.1
 * @dir: a temporary folder for the test's computers
 * @address: the server's address
 * @window: the app's window, shown
 *
 * What most app tests start from: a server, and a fresh window of the app
 * whose data is in @dir.
 */
typedef struct
{
  SottoTestServer *server;
  char            *dir;
  char            *address;
  SottoWindow     *window;
} SottoUiSetup;

void sotto_ui_setup_start  (SottoUiSetup     *ui,
                            SottoApplication *app,
                            int               width,
                            int               height);
void sotto_ui_setup_finish (SottoUiSetup     *ui);

G_END_DECLS
