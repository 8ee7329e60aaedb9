/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-protocol.h"
#include "sotto-wire.h"

G_BEGIN_DECLS

/*
 * The real sotto-server binary, started on 127.0.0.1 port 0 with its data
 * in a temporary directory, and clients that speak the real protocol to it
 * over real sockets.
 */

typedef struct _SottoTestServer SottoTestServer;
typedef struct _SottoTestClient SottoTestClient;

SottoTestServer *sotto_test_server_start        (const char       *data_dir,
                                                 const char *const *extra_args);
SottoTestServer *sotto_test_server_start_full   (const char       *data_dir,
                                                 const char *const *extra_args,
                                                 const char       *stderr_path);
SottoTestServer *sotto_test_server_start_lenient (const char       *data_dir,
                                                 const char *const *extra_args,
                                                 const char       *stderr_path);
void             sotto_test_server_restart      (SottoTestServer  *server);
void             sotto_test_server_close_stdin  (SottoTestServer  *server);
void             sotto_test_server_stop         (SottoTestServer  *server);
void             sotto_test_server_kill         (SottoTestServer  *server);
void             sotto_test_server_free         (SottoTestServer  *server);
guint16          sotto_test_server_get_port     (SottoTestServer  *server);
const char      *sotto_test_server_get_data_dir (SottoTestServer  *server);
const char      *sotto_test_server_get_fingerprint (SottoTestServer *server);
char            *sotto_test_server_command      (SottoTestServer  *server,
                                                 const char       *command);
char            *sotto_test_server_read_line    (SottoTestServer  *server);
gboolean         sotto_test_server_is_running   (SottoTestServer  *server);
GPid             sotto_test_server_get_pid      (SottoTestServer  *server);
char            *sotto_test_make_data_dir       (void);
void             sotto_test_remove_dir          (const char       *path);

SottoTestClient *sotto_test_client_connect      (SottoTestServer  *server);
SottoTestClient *sotto_test_client_connect_port (guint16           port);
SottoTestClient *sotto_test_client_connect_from (SottoTestServer  *server,
                                                 const char       *local_ip);
void             sotto_test_client_free         (SottoTestClient  *client);
void             sotto_test_client_send         (SottoTestClient  *client,
                                                 GBytes           *message);
void             sotto_test_client_send_take    (SottoTestClient  *client,
                                                 GBytes           *message);
SottoMsg        *sotto_test_client_expect       (SottoTestClient  *client,
                                                 SottoMsgType      type);
SottoMsg        *sotto_test_client_next         (SottoTestClient  *client);
SottoMsg        *sotto_test_client_expect_reply (SottoTestClient  *client,
                                                 const char       *id);
SottoMsg        *sotto_test_client_expect_error (SottoTestClient  *client,
                                                 const char       *id,
                                                 SottoMsgErrorCode code);
void             sotto_test_client_assert_none  (SottoTestClient  *client,
                                                 SottoMsgType      type,
                                                 guint             milliseconds);
gboolean         sotto_test_client_is_closed    (SottoTestClient  *client);
void             sotto_test_client_wait_closed  (SottoTestClient  *client);
const GError    *sotto_test_client_get_close_error (SottoTestClient *client);
GIOStream       *sotto_test_client_get_stream   (SottoTestClient  *client);
void             sotto_test_client_identity     (SottoTestClient  *client,
                                                 SottoWireIdentity *identity);
void             sotto_test_client_set_identity (SottoTestClient *client,
                                                 const SottoWireIdentity *identity);
char            *sotto_test_client_next_id      (SottoTestClient  *client);
SottoMsg        *sotto_test_client_register     (SottoTestClient  *client,
                                                 const char       *username,
                                                 const char       *password);
SottoMsg        *sotto_test_client_login        (SottoTestClient  *client,
                                                 const char       *username,
                                                 const char       *password);
SottoMsg        *sotto_test_client_request      (SottoTestClient  *client,
                                                 GBytes           *(*build) (const char *id,
                                                                             const char *arg),
                                                 const char       *arg);
guint            sotto_test_client_count        (SottoTestClient  *client,
                                                 SottoMsgType      type);
void             sotto_test_client_clear        (SottoTestClient  *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestServer, sotto_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestClient, sotto_test_client_free)

G_END_DECLS
