/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * sotto-cli run by a test: the real binary ($SOTTO_CLI), each user with a
 * data directory of their own under @dir, talking to the server at
 * @address whose key has @fingerprint, the password from the
 * environment, standard input a pipe nobody writes to (never a terminal).
 * Every wait ends the test after a while rather than hang, and the
 * program never outlives the test.
 */

/* The password every user of these tests has. */
#define SOTTO_TEST_CLI_PASSWORD "correct horse battery"

GSubprocess *sotto_test_cli_spawn           (const char         *dir,
                                             const char         *address,
                                             const char         *fingerprint,
                                             const char         *user,
                                             const char         *cwd,
                                             const char *const  *args);
int          sotto_test_cli_finish          (GSubprocess        *process,
                                             char              **out,
                                             char              **err);
int          sotto_test_cli_run             (const char         *dir,
                                             const char         *address,
                                             const char         *fingerprint,
                                             const char         *user,
                                             const char         *cwd,
                                             const char *const  *args,
                                             char              **out,
                                             char              **err);
void         sotto_test_cli_die_with_parent (gpointer            user_data);
int          sotto_test_cli_exit_status     (GSubprocess        *process);
char        *sotto_test_cli_wait_for_line   (GInputStream       *pipe,
                                             const char         *wanted);
void         sotto_test_cli_wait_for_stderr (GSubprocess        *process,
                                             const char         *wanted);
void         sotto_test_cli_wait_long_for   (gboolean           *flag,
                                             const char         *what);

G_END_DECLS
