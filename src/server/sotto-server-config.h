/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SOTTO_SERVER_DEFAULT_PORT 7777

/* Every setting can come from a flag or from the [server] group of the
 * config file; flags win. */
typedef struct
{
  GStrv     listen;             /* "ADDR:PORT", IPv6 as "[ADDR]:PORT" */
  char     *data_dir;
  char     *config_file;
  gboolean  verbose;
  gboolean  console;            /* also when stdin is a terminal */
  gint64    max_frame;          /* bytes */
  gint64    max_queue;          /* bytes a slow reader may have waiting */
  gint      login_timeout;      /* seconds from connect to a completed login */
  gint      link_timeout;       /* seconds a link offer waits for its approval */
  gint64    retention_days;     /* 0 keeps forever */
  gint64    retention_messages; /* per room; 0 keeps all */
  gint64    max_file_size;      /* MiB of file one blob may hold */
  gint64    quota;              /* MiB of blobs per account, complete or not */
  gint64    upload_expiry;      /* seconds an unfinished upload is kept */
  gint64    pwhash_opslimit;
  gint64    pwhash_memlimit;
  char     *migrate_to;         /* PostgreSQL to copy the store into, then exit */
} SottoServerConfig;

SottoServerConfig *sotto_server_config_new   (void);
void               sotto_server_config_free  (SottoServerConfig  *config);
gboolean           sotto_server_config_parse (SottoServerConfig  *config,
                                              int                *argc,
                                              char             ***argv,
                                              GError            **error);
gboolean           sotto_parse_listen_address (const char        *text,
                                               char             **host,
                                               guint16           *port,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoServerConfig, sotto_server_config_free)

G_END_DECLS
