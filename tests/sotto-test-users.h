/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-client.h"
#include "sotto-client-store.h"

G_BEGIN_DECLS

/*
 * People using the client core: each a SottoClient with its own data
 * directory ("computer") under @base_dir, talking to the server at
 * @address. Every wait ends the test after a while rather than hang.
 */

SottoClient      *sotto_test_user_open            (const char   *base_dir,
                                                   const char   *address,
                                                   const char   *computer);
void              sotto_test_user_account         (SottoClient  *client,
                                                   gboolean      create,
                                                   const char   *user,
                                                   const char   *password,
                                                   GError      **error);
void              sotto_test_user_reset           (SottoClient  *client,
                                                   const char   *user,
                                                   const char   *password,
                                                   GError      **error);
SottoClient      *sotto_test_user_new             (const char   *base_dir,
                                                   const char   *address,
                                                   const char   *user,
                                                   const char   *password);
SottoRoom        *sotto_test_user_join            (SottoClient  *client,
                                                   const char   *room);
SottoRoom        *sotto_test_user_try_join        (SottoClient  *client,
                                                   const char   *room,
                                                   GError      **error);
void              sotto_test_user_kick            (SottoClient  *client,
                                                   const char   *room,
                                                   const char   *user);
gboolean          sotto_test_user_leave           (SottoClient  *client,
                                                   const char   *room,
                                                   GError      **error);
SottoMessage     *sotto_test_user_say             (SottoClient  *client,
                                                   SottoRoom    *room,
                                                   const char   *text);
void              sotto_test_user_wait_sent       (SottoMessage *message);
SottoMessage     *sotto_test_user_wait_for_text   (SottoRoom    *room,
                                                   const char   *sender,
                                                   const char   *text);
void              sotto_test_user_wait_members    (SottoRoom    *room,
                                                   guint         n_members);
void              sotto_test_user_wait_state      (SottoClient  *client,
                                                   SottoClientState state);
guint             sotto_test_room_count_text      (SottoRoom    *room,
                                                   const char   *sender,
                                                   const char   *text);
guint             sotto_test_room_count_warnings  (SottoRoom    *room);
char             *sotto_test_user_store_path      (const char   *base_dir,
                                                   const char   *address,
                                                   const char   *computer,
                                                   const char   *user);
SottoClientStore *sotto_test_user_open_store      (const char   *path,
                                                   const char   *password);

G_END_DECLS
