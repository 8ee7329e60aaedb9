/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-client.h"
#include "sotto-e2e.h"
#include "sotto-test-proxy.h"
#include "sotto-test-server.h"
#include "sotto-test-users.h"

G_BEGIN_DECLS

/*
 * The hostile-server suites' common ground: the real sotto-server on
 * 127.0.0.1 and, in front of it, a proxy that holds the server's key, so
 * that the clients (the real client core) take it for the server.
 */

#define SOTTO_HOSTILE_PASSWORD "correct horse battery"

/* Long enough for a loaded machine under sanitizers and for the client's
 * reconnection delays; a test that waits longer is stuck. */
#define SOTTO_HOSTILE_WAIT_SECONDS 60

typedef struct
{
  SottoTestServer *server;
  SottoTestProxy  *proxy;
  char            *dir;
} SottoHostileFixture;

void         sotto_hostile_fixture_setup    (SottoHostileFixture  *fixture,
                                             gconstpointer         data);
void         sotto_hostile_fixture_teardown (SottoHostileFixture  *fixture,
                                             gconstpointer         data);
SottoClient *sotto_hostile_new_user         (SottoHostileFixture  *fixture,
                                             const char           *user);
SottoClient *sotto_hostile_log_in           (SottoHostileFixture  *fixture,
                                             const char           *user);
void         sotto_hostile_round_trip       (SottoClient          *client);
void         sotto_hostile_join_lobby       (SottoHostileFixture  *fixture,
                                             SottoClient          *alice,
                                             SottoClient          *bob,
                                             SottoRoom           **alice_room,
                                             SottoRoom           **bob_room);
gboolean     sotto_hostile_wake_cb          (gpointer              user_data);
SottoRoomState *sotto_hostile_server_state  (SottoHostileFixture  *fixture,
                                             const char           *room);
SottoRoomState *sotto_hostile_server_state_upto (SottoHostileFixture *fixture,
                                                 const char          *room,
                                                 guint64              length);
void         sotto_hostile_forge_join_at    (SottoHostileFixture  *fixture,
                                             const char           *room,
                                             guint64               index,
                                             const char           *name,
                                             SottoIdentity        *keys,
                                             const char           *to);
void         sotto_hostile_forge_join       (SottoHostileFixture  *fixture,
                                             const char           *room,
                                             const char           *name,
                                             SottoIdentity        *keys,
                                             const char           *to);

/* Runs the main loop until @condition holds, or fails the test. */
#define SOTTO_HOSTILE_WAIT_UNTIL(condition, what) \
  G_STMT_START { \
    gint64 deadline_ = g_get_monotonic_time () + SOTTO_HOSTILE_WAIT_SECONDS * G_USEC_PER_SEC; \
    guint wake_ = g_timeout_add (100, sotto_hostile_wake_cb, NULL); \
    while (!(condition)) \
      { \
        if (g_get_monotonic_time () > deadline_) \
          g_error ("Waited %d s for %s", SOTTO_HOSTILE_WAIT_SECONDS, what); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (wake_); \
  } G_STMT_END

G_END_DECLS
