/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sotto-identity.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MEMBER (sotto_member_get_type ())

G_DECLARE_FINAL_TYPE (SottoMember, sotto_member, SOTTO, MEMBER, GObject)

SottoMember               *sotto_member_new          (const char                *user,
                                                      const SottoPublicIdentity *identity,
                                                      gboolean                   online);
const char                *sotto_member_get_user     (SottoMember               *self);
const SottoPublicIdentity *sotto_member_get_identity (SottoMember               *self);
void                       sotto_member_set_identity (SottoMember               *self,
                                                      const SottoPublicIdentity *identity);
gboolean                   sotto_member_get_online   (SottoMember               *self);
void                       sotto_member_set_online   (SottoMember               *self,
                                                      gboolean                   online);

gboolean                   sotto_member_get_verified (SottoMember               *self);
void                       sotto_member_set_verified (SottoMember               *self,
                                                      gboolean                   verified);

G_END_DECLS
