/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the threads of sotto-server-blob-files.c do with the files of one
 * blob, each job on its own data only. */
typedef enum
{
  SOTTO_BLOB_JOB_WRITE,
  SOTTO_BLOB_JOB_READ,
  SOTTO_BLOB_JOB_DELETE,
} SottoBlobJobKind;

typedef struct
{
  SottoBlobJobKind  kind;
  char             *partial_path;
  char             *complete_path;
  /* The folders, synced once a complete blob is moved. */
  char             *partial_dir;
  char             *complete_dir;
  /* Where to write or read. */
  gint64            offset;
  /* What to write (nullable), and whether the blob is then complete. */
  GBytes           *data;
  gboolean          finish;
  /* How much to read. */
  gsize             length;
} SottoBlobJob;

void _sotto_blob_job_free (gpointer      data);
void _sotto_blob_job_run  (GTask        *task,
                           SottoBlobJob *job);

G_END_DECLS
