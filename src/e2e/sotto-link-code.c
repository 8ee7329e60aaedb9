/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-e2e-private.h"
#include "sotto-link-private.h"

/*
 * A link code: the one-time secret a new computer shows and the person
 * types on a computer already signed in to the account, so that the two
 * can trust what they exchange through the server. It is 80 random bits,
 * s, written in Crockford's base32 as the recovery key is: 16 characters
 * in groups of 4 joined by '-'. From s come
 *
 *   id = the first 16 bytes of BLAKE2b-256 (ID_LABEL | s)
 *   K  = BLAKE2b-256 (KEY_LABEL | s)
 *
 * The id is what the server routes the exchange by, in lowercase hex; K
 * seals the new device's offer and goes into the key of the approval.
 *
 * The code has no check: 80 bits make exactly 16 characters, and a check
 * would cost the person more characters or the secret some bits. A
 * mistyped code is another code, with another id and another key: the
 * server has no offer under that id, and an offer under the right one does
 * not open with the wrong key.
 */
#define ID_LABEL "sotto link id v1"
#define KEY_LABEL "sotto link key v1"
#define GROUP 4

G_STATIC_ASSERT (SOTTO_LINK_CODE_BYTES * 8 % 5 == 0);
G_STATIC_ASSERT (SOTTO_LINK_CODE_LENGTH ==
                 SOTTO_LINK_CODE_BYTES * 8 / 5 + SOTTO_LINK_CODE_BYTES * 8 / 5 / GROUP - 1);
G_STATIC_ASSERT (SOTTO_LINK_ID_LENGTH == SOTTO_LINK_ID_BYTES * 2);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

typedef struct
{
  guint8 secret[SOTTO_LINK_CODE_BYTES];
  guint8 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} Secrets;

struct _SottoLinkCode
{
  GObject  parent_instance;

  guint8   id[SOTTO_LINK_ID_BYTES];
  char     id_hex[SOTTO_LINK_ID_LENGTH + 1];

  /* sodium_malloc()ed and read-only once filled in. */
  Secrets *secrets;
};

G_DEFINE_FINAL_TYPE (SottoLinkCode, sotto_link_code, G_TYPE_OBJECT)

static void
sotto_link_code_finalize (GObject *object)
{
  SottoLinkCode *self = SOTTO_LINK_CODE (object);

  g_clear_pointer (&self->secrets, sodium_free);

  G_OBJECT_CLASS (sotto_link_code_parent_class)->finalize (object);
}

static void
sotto_link_code_class_init (SottoLinkCodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sotto_link_code_finalize;
}

static void
sotto_link_code_init (SottoLinkCode *self)
{
  self->secrets = _sotto_e2e_secure_alloc (sizeof (Secrets));
}

/* BLAKE2b-256 of @label and the secret into @out, of which the first
 * @out_len bytes are kept. */
static void
hash_secret (SottoLinkCode *self,
             const char    *label,
             guint8        *out,
             gsize          out_len)
{
  crypto_generichash_state state;
  guint8 hash[crypto_generichash_BYTES];

  g_assert (out_len <= sizeof hash);

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  crypto_generichash_update (&state, self->secrets->secret, sizeof self->secrets->secret);
  crypto_generichash_final (&state, hash, sizeof hash);
  memcpy (out, hash, out_len);
  sodium_memzero (&state, sizeof state);
  sodium_memzero (hash, sizeof hash);
}

/* Derives the id and the key once the secret is in place. */
static void
derive (SottoLinkCode *self)
{
  hash_secret (self, ID_LABEL, self->id, sizeof self->id);
  for (gsize i = 0; i < sizeof self->id; i++)
    g_snprintf (self->id_hex + 2 * i, 3, "%02x", self->id[i]);
  hash_secret (self, KEY_LABEL, self->secrets->key, sizeof self->secrets->key);
  sodium_mprotect_readonly (self->secrets);
}

/**
 * sotto_link_code_new:
 *
 * Makes a new link code, on the computer to be linked. It never changes
 * after creation and may be used from any thread.
 *
 * Returns: (transfer full): a new #SottoLinkCode
 */
SottoLinkCode *
sotto_link_code_new (void)
{
  SottoLinkCode *self = g_object_new (SOTTO_TYPE_LINK_CODE, NULL);

  randombytes_buf (self->secrets->secret, sizeof self->secrets->secret);
  derive (self);

  return self;
}

/**
 * sotto_link_code_new_from_string:
 * @text: a link code, as sotto_link_code_to_string() wrote it
 * @error: return location for a #GError
 *
 * Reads a link code as a person types it: in either case, with or
 * without the dashes, with spaces anywhere, and with O for 0 and I or L
 * for 1. Anything else, or too few or too many characters, fails with
 * %SOTTO_E2E_ERROR_BAD_FORMAT. Any 16 symbols are a code: a mistyped one
 * is only caught when its offer does not open.
 *
 * Returns: (transfer full): the link code, or %NULL with @error set
 */
SottoLinkCode *
sotto_link_code_new_from_string (const char  *text,
                                 GError     **error)
{
  g_autoptr(SottoLinkCode) self = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SOTTO_TYPE_LINK_CODE, NULL);
  if (!_sotto_e2e_base32_decode (text, self->secrets->secret, sizeof self->secrets->secret))
    {
      g_set_error_literal (error, SOTTO_E2E_ERROR, SOTTO_E2E_ERROR_BAD_FORMAT,
                           _("This is not a link code: one has 16 letters and digits"));
      return NULL;
    }
  derive (self);

  return g_steal_pointer (&self);
}

/**
 * sotto_link_code_to_string:
 * @self: a #SottoLinkCode
 *
 * Writes the code for the new computer to show: 16 characters of
 * Crockford's base32 in 4 groups of 4 joined by '-'
 * (%SOTTO_LINK_CODE_LENGTH characters).
 *
 * The text is in ordinary memory, since it is made to be shown; drop it
 * once the link is done.
 *
 * Returns: (transfer full): the code
 */
char *
sotto_link_code_to_string (SottoLinkCode *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_CODE (self), NULL);

  return _sotto_e2e_base32_encode (self->secrets->secret, sizeof self->secrets->secret, GROUP);
}

/**
 * sotto_link_code_get_id:
 * @self: a #SottoLinkCode
 *
 * The id both computers give the server, so that it brings their
 * messages together: %SOTTO_LINK_ID_LENGTH lowercase hex characters. It
 * tells nothing of the code but to whoever guesses the code.
 *
 * Returns: (transfer none): the link id, valid as long as @self
 */
const char *
sotto_link_code_get_id (SottoLinkCode *self)
{
  g_return_val_if_fail (SOTTO_IS_LINK_CODE (self), NULL);

  return self->id_hex;
}

/* K, in read-only secure memory, valid as long as @self. */
const guint8 *
_sotto_link_code_get_key (SottoLinkCode *self)
{
  g_assert (SOTTO_IS_LINK_CODE (self));

  return self->secrets->key;
}

/* Writes @version and the raw id, SOTTO_LINK_ASSOCIATED_BYTES, to
 * @associated: an offer or approval opens only for the link and the
 * version it was sealed for. */
void
_sotto_link_code_associated (SottoLinkCode *self,
                             guint8         version,
                             guint8        *associated)
{
  g_assert (SOTTO_IS_LINK_CODE (self));

  associated[0] = version;
  memcpy (associated + 1, self->id, sizeof self->id);
}
