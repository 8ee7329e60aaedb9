/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sotto-pin-store.h"

G_BEGIN_DECLS

#define SOTTO_TYPE_MEMORY_PIN_STORE (sotto_memory_pin_store_get_type ())

G_DECLARE_FINAL_TYPE (SottoMemoryPinStore, sotto_memory_pin_store, SOTTO, MEMORY_PIN_STORE, GObject)

SottoMemoryPinStore *sotto_memory_pin_store_new (void);

G_END_DECLS
