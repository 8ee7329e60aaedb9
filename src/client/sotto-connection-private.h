/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-connection.h"

G_BEGIN_DECLS

/*
 * SottoConnection in three files, each calling only those below it:
 *
 *   sotto-connection-connect.c   name lookup, TCP, handshake, trust
 *   sotto-connection.c           the object, its channel, the requests
 *   sotto-connection-requests.c  requests waiting for their answers
 */

/* sotto-connection-requests.c */
typedef struct _SottoRequestTable SottoRequestTable;

SottoRequestTable *_sotto_request_table_new      (void);
void               _sotto_request_table_free     (SottoRequestTable    *self);
gboolean           _sotto_request_table_contains (SottoRequestTable    *self,
                                                  const char           *id);
void               _sotto_request_table_add      (SottoRequestTable    *self,
                                                  const char           *id,
                                                  GTask                *task,
                                                  guint                 timeout);
gboolean           _sotto_request_table_answer   (SottoRequestTable    *self,
                                                  SottoMsg             *reply);
void               _sotto_request_table_fail_all (SottoRequestTable    *self,
                                                  const GError         *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoRequestTable, _sotto_request_table_free)

struct _SottoConnection
{
  GObject               parent_instance;

  char                 *server;
  SottoPinStore        *pins;
  SottoConnectionState  state;
  guint                 timeout;

  GCancellable         *cancellable;
  GSocketConnection    *socket;
  SottoClientHandshake *handshake;
  SottoChannel         *channel;
  GTask                *connect_task;
  guint                 connect_timeout_id;

  char                 *server_fingerprint;
  char                 *pinned_fingerprint;
  char                 *server_version;
  guint                 min_password;
  guint64               max_file;
  gint64                max_frame;
  guint                 next_id;
  SottoRequestTable    *requests;
};

/* sotto-connection.c */
void               _sotto_connection_set_state     (SottoConnection      *self,
                                                    SottoConnectionState  state);
void               _sotto_connection_fail_connect  (SottoConnection      *self,
                                                    GError               *error);
void               _sotto_connection_start_channel (SottoConnection      *self,
                                                    SottoChannel         *channel);

G_END_DECLS
