/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-test-server.h"

G_BEGIN_DECLS

/*
 * The server suites' common ground: a fresh sotto-server per test, users
 * registered on it, and the requests those suites make over and over.
 * Every helper fails the test when the server does not answer as asked.
 */

#define SOTTO_TEST_PASSWORD "correct horse battery"

typedef struct
{
  SottoTestServer *server;
  /* name → SottoWireIdentity: the device each user registered from. */
  GHashTable      *identities;
} SottoServerFixture;

/* Adds the test at /sotto/server/@path, each run on a server of its own. */
#define SOTTO_SERVER_FIXTURE_ADD(path, func) \
  g_test_add ("/sotto/server/" path, SottoServerFixture, NULL, \
              sotto_server_fixture_setup, func, sotto_server_fixture_teardown)

typedef struct
{
  GHashTable *seen;
  gint64      last;
} SottoTestCatchUp;

void             sotto_server_fixture_setup        (SottoServerFixture *fixture,
                                                    gconstpointer       data);
void             sotto_server_fixture_teardown     (SottoServerFixture *fixture,
                                                    gconstpointer       data);
SottoTestClient *sotto_server_fixture_new_user     (SottoServerFixture *fixture,
                                                    const char         *name);
SottoTestClient *sotto_server_fixture_log_in       (SottoServerFixture *fixture,
                                                    const char         *name);
SottoTestClient *sotto_server_fixture_log_in_as    (SottoServerFixture      *fixture,
                                                    const char              *name,
                                                    const SottoWireIdentity *identity);

GBytes          *sotto_test_envelope_of            (const char         *text);
void             sotto_test_assert_message         (SottoMsg           *msg,
                                                    const char         *room,
                                                    const char         *sender,
                                                    const char         *text);
void             sotto_test_assert_state_event     (SottoMsg           *msg,
                                                    const char         *room,
                                                    gint64              index,
                                                    const char         *sender,
                                                    const char         *text);

void             sotto_test_client_expect_ok       (SottoTestClient    *client,
                                                    const char         *id);
SottoMsg        *sotto_test_client_join            (SottoTestClient    *client,
                                                    const char         *room);
SottoMsg        *sotto_test_client_say             (SottoTestClient    *client,
                                                    const char         *room,
                                                    const char         *msg_id,
                                                    const char         *text);
void             sotto_test_client_catch_up        (SottoTestClient    *client,
                                                    const char         *room,
                                                    gint64              after,
                                                    gint64              limit,
                                                    SottoTestCatchUp   *result);
SottoMsg        *sotto_test_client_append_state    (SottoTestClient    *client,
                                                    const char         *room,
                                                    gint64              index,
                                                    const char         *text);
void             sotto_test_client_append_state_ok (SottoTestClient    *client,
                                                    const char         *room,
                                                    gint64              index,
                                                    const char         *text);
SottoMsg        *sotto_test_client_state_catchup   (SottoTestClient    *client,
                                                    const char         *room,
                                                    gint64              from,
                                                    gint64              limit,
                                                    GPtrArray          *events);

G_END_DECLS
