/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Framing, the handshake and the encrypted channel of docs/protocol.md. */

#include "sotto-channel.h"
#include "sotto-frame.h"
#include "sotto-handshake.h"
#include "sotto-memory-pin-store.h"
#include "sotto-pin-store.h"
#include "sotto-server-key.h"
#include "sotto-wire-error.h"
