/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-server.h"
#include "sotto-server-state.h"

G_BEGIN_DECLS

/*
 * SottoServer, shared by sotto-server.c (the service, sessions, dispatch,
 * shutdown) and sotto-server-operator.c (the console's actions). What the
 * request handlers work on is in the SottoServerState it owns.
 */

struct _SottoServer
{
  GSocketService      parent_instance;

  SottoServerConfig  *config;
  SottoServerKey     *key;
  SottoServerState   *state;
  GCancellable       *cancellable;

  /* All live sessions (owned), and those closed but not yet forgotten. */
  GPtrArray          *sessions;
  GPtrArray          *closed_sessions;
  guint               drop_id;

  GPtrArray          *listen_addresses;
  guint               retention_id;
  GTask              *shutdown_task;
  guint               shutdown_grace_id;
  guint64             next_session_id;
};

/* sotto-server.c */
GPtrArray *_sotto_server_copy_sessions (GPtrArray *sessions);

G_END_DECLS
