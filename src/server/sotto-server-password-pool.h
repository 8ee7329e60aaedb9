/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SottoPasswordPool SottoPasswordPool;

/* What a job of the pool gives its task: a boolean, or that the hash
 * could not get its memory. */
typedef enum
{
  SOTTO_PASSWORD_FALSE,
  SOTTO_PASSWORD_TRUE,
  SOTTO_PASSWORD_NO_MEMORY,
} SottoPasswordResult;

typedef SottoPasswordResult (*SottoPasswordFunc) (gpointer data);

SottoPasswordPool *_sotto_password_pool_new  (void);
void               _sotto_password_pool_free (SottoPasswordPool *self);
void               _sotto_password_pool_run  (SottoPasswordPool *self,
                                              GTask             *task,
                                              SottoPasswordFunc  func);

G_END_DECLS
