/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sotto-member.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MEMBER_ROW (sotto_member_row_get_type ())

G_DECLARE_FINAL_TYPE (SottoMemberRow, sotto_member_row, SOTTO, MEMBER_ROW, AdwBin)

SottoMemberRow *sotto_member_row_new        (void);
SottoMember    *sotto_member_row_get_member (SottoMemberRow *self);
void            sotto_member_row_set_member (SottoMemberRow *self,
                                             SottoMember    *member,
                                             const char     *own_user);
void            sotto_member_row_set_owner  (SottoMemberRow *self,
                                             gboolean        owner);
gboolean        sotto_member_row_get_removable (SottoMemberRow *self);
void            sotto_member_row_set_removable (SottoMemberRow *self,
                                                gboolean        removable);
void            sotto_member_row_set_gives_roles (SottoMemberRow *self,
                                                  gboolean        gives_roles);

G_END_DECLS
