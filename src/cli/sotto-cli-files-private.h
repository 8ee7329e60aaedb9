/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sotto-cli-files.h"
#include "sotto-cli-progress.h"
#include "sotto-file-message.h"

G_BEGIN_DECLS

struct _SottoCliFiles
{
  GObject            parent_instance;

  SottoClient       *client;
  SottoCliRooms     *rooms;
  SottoCliOptions   *options;
  GCancellable      *cancellable;
  gboolean           stderr_is_tty;

  SottoCliFilesDone  done;
  gpointer           done_data;
  gboolean           finished;

  SottoTransfer     *transfer;
  gulong             transfer_state_id;
  gulong             transfer_done_id;
  SottoCliProgress  *progress;
  gint64             moved_at;

  /* send-file: the message naming the file, until the server stored it */
  SottoMessage      *sending;
  gulong             sending_id;

  /* fetch-file */
  SottoRoom         *room;
  SottoMessage      *message;
  guint              search_id;
  GFile             *destination;
  /* Made empty here to hold the name: removed unless the file came */
  gboolean           reserved;
};

/**
 * SottoCliFileRef:
 * @seq: the message's number in its room, or 0
 * @id: the file's ID, when @seq is 0
 *
 * How fetch-file names the file: by the message that sent it, or by the
 * file's own ID.
 */
typedef struct
{
  gint64 seq;
  guint8 id[SOTTO_FILE_ID_BYTES];
} SottoCliFileRef;

void      _sotto_cli_files_finish        (SottoCliFiles    *self,
                                          int               status);
void      _sotto_cli_files_fail          (SottoCliFiles    *self,
                                          int               status,
                                          const char       *text);
void      _sotto_cli_files_follow        (SottoCliFiles    *self,
                                          SottoTransfer    *transfer,
                                          GCallback         state_cb);
gboolean  _sotto_cli_files_parse_ref     (const char       *text,
                                          SottoCliFileRef  *ref);
char     *_sotto_cli_files_numbered_name (const char       *name,
                                          guint             number);
char     *_sotto_cli_files_save_folder   (SottoCliOptions  *options);
GFile    *_sotto_cli_files_reserve       (SottoCliOptions  *options,
                                          const char       *sender_name,
                                          gboolean         *reserved,
                                          GError          **error);

G_END_DECLS
