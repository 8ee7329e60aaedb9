/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

/* The JSON messages of docs/protocol.md: limits and types, parsing with
 * validation (SottoMsg), and one builder per message.
 */

#include "sotto-protocol-types.h"
#include "sotto-msg.h"
#include "sotto-msg-builder.h"
#include "sotto-protocol-pieces.h"
