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

/**
 * SottoTestNewComputer:
 * @client: the computer being linked
 * @done: whether its link ended, @ok or with @error
 * @code: the last link code it showed, %NULL until then
 * @codes: how many it showed
 *
 * A computer that links itself to an account.
 */
typedef struct
{
  SottoClient *client;
  gboolean     done;
  gboolean     ok;
  GError      *error;
  char        *code;
  guint        codes;
} SottoTestNewComputer;

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
void              sotto_test_user_recover         (SottoClient  *client,
                                                   const char   *user,
                                                   const char   *password,
                                                   const char   *recovery_text,
                                                   GError      **error);
SottoClient      *sotto_test_user_new             (const char   *base_dir,
                                                   const char   *address,
                                                   const char   *user,
                                                   const char   *password);
SottoTestNewComputer *sotto_test_new_computer_link (const char   *base_dir,
                                                   const char   *address,
                                                   const char   *computer,
                                                   const char   *user,
                                                   const char   *password,
                                                   GCancellable *cancellable);
void              sotto_test_new_computer_wait_code (SottoTestNewComputer *computer);
void              sotto_test_new_computer_wait_done (SottoTestNewComputer *computer);
void              sotto_test_new_computer_free    (SottoTestNewComputer *computer);
SottoLinkPending *sotto_test_user_open_link       (SottoClient  *client,
                                                   const char   *code,
                                                   GError      **error);
gboolean          sotto_test_user_approve_link    (SottoClient  *client,
                                                   SottoLinkPending *pending,
                                                   GError      **error);
SottoClient      *sotto_test_user_link            (const char   *base_dir,
                                                   const char   *address,
                                                   SottoClient  *approver,
                                                   const char   *computer_name,
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
SottoMessage     *sotto_test_room_find_text       (SottoRoom    *room,
                                                   const char   *sender,
                                                   const char   *text);
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoTestNewComputer, sotto_test_new_computer_free)

G_END_DECLS
