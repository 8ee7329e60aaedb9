/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "sotto-account-key.h"
#include "sotto-device-list.h"
#include "sotto-e2e-error.h"
#include "sotto-envelope.h"
#include "sotto-file-crypt.h"
#include "sotto-file-message.h"
#include "sotto-history.h"
#include "sotto-identity.h"
#include "sotto-link.h"
#include "sotto-message-action.h"
#include "sotto-message-body.h"
#include "sotto-password-seal.h"
#include "sotto-prekey.h"
#include "sotto-room-event.h"
#include "sotto-room-state.h"
#include "sotto-safety-number.h"
#include "sotto-sender-key.h"
