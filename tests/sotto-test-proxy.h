/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-test-server.h"

G_BEGIN_DECLS

/*
 * A hostile server for tests: a proxy on 127.0.0.1 that holds the real
 * server's long-term key, so that clients cannot tell it from the honest
 * server, and that ends every connection with its own channel on both
 * sides. Each protocol message that crosses it goes through a hook that
 * may forward it, rewrite it or drop it; a test may also inject messages
 * of its own, in either direction, in order with what was forwarded. A
 * goodbye on one side is passed on as a goodbye, a cut as a cut.
 * Everything runs on the thread-default main context, which the test
 * spins; a hook may inject and cut, but not free the proxy.
 */

typedef struct _SottoTestProxy SottoTestProxy;
/* One client connection, with its own connection to the real server. */
typedef struct _SottoTestProxyLink SottoTestProxyLink;

typedef enum
{
  SOTTO_TEST_PROXY_TO_SERVER,
  SOTTO_TEST_PROXY_TO_CLIENT,
} SottoTestProxyDirection;

/**
 * SottoTestProxyHook:
 * @message: one protocol message, as it came
 *
 * Called for every message that crosses the proxy.
 *
 * Returns: (transfer full) (nullable): what to forward (@message with
 *   g_bytes_ref(), or a rewritten one), or %NULL to drop it
 */
typedef GBytes *(*SottoTestProxyHook) (SottoTestProxy          *proxy,
                                       SottoTestProxyLink      *link,
                                       SottoTestProxyDirection  direction,
                                       GBytes                  *message,
                                       gpointer                 user_data);

SottoTestProxy     *sotto_test_proxy_start          (SottoTestServer         *server);
void                sotto_test_proxy_free           (SottoTestProxy          *proxy);
guint16             sotto_test_proxy_get_port       (SottoTestProxy          *proxy);
const char         *sotto_test_proxy_get_address    (SottoTestProxy          *proxy);
void                sotto_test_proxy_set_hook       (SottoTestProxy          *proxy,
                                                     SottoTestProxyHook       hook,
                                                     gpointer                 user_data);
SottoTestProxyLink *sotto_test_proxy_find_link      (SottoTestProxy          *proxy,
                                                     const char              *user);
guint               sotto_test_proxy_count_links    (SottoTestProxy          *proxy,
                                                     const char              *user);
void                sotto_test_proxy_inject_to_user (SottoTestProxy          *proxy,
                                                     const char              *user,
                                                     GBytes                  *message);
void                sotto_test_proxy_cut_user       (SottoTestProxy          *proxy,
                                                     const char              *user);
guint               sotto_test_proxy_count          (SottoTestProxy          *proxy,
                                                     const char              *user,
                                                     SottoTestProxyDirection  direction,
                                                     const char              *type);

const char         *sotto_test_proxy_link_get_user  (SottoTestProxyLink      *link);
void                sotto_test_proxy_link_inject    (SottoTestProxyLink      *link,
                                                     SottoTestProxyDirection  direction,
                                                     GBytes                  *message);

/* Rewriting messages: each returns a new compact message, one line. */
GBytes             *sotto_test_json_set_int         (GBytes                  *message,
                                                     const char              *field,
                                                     gint64                   value);
GBytes             *sotto_test_json_set_string      (GBytes                  *message,
                                                     const char              *field,
                                                     const char              *value);
GBytes             *sotto_test_json_remove          (GBytes                  *message,
                                                     const char              *field);
char               *sotto_test_json_get_string      (GBytes                  *message,
                                                     const char              *field);
gint64              sotto_test_json_get_int         (GBytes                  *message,
                                                     const char              *field);
char               *sotto_test_json_type            (GBytes                  *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestProxy, sotto_test_proxy_free)

G_END_DECLS
