/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sotto-server-links.h"

/*
 * Linking a new computer, seen from the server: a relay between two open
 * connections. The new computer, which has not logged in, posts a sealed
 * offer under a link id and waits on its connection; a signed-in
 * computer fetches the offer and sends back a sealed approval, which the
 * server hands to the waiting connection, and the link is over. The
 * server opens neither; it only brings them together by the id.
 *
 * A link lives in memory only, as long as the exchange it serves: it ends
 * when it is approved, when the connection that offered it closes, and
 * when the link timeout is up. Nothing of it is stored, and nothing of
 * its content or id is logged.
 *
 * A connection holds one offer at most, and a new one takes the place of
 * the old. The server holds SOTTO_SERVER_MAX_LINKS at most, since each
 * keeps a connection that has not logged in open past the login timeout.
 */

struct _SottoServerLinks
{
  /* link id → WaitingLink (owned) */
  GHashTable *by_id;
  /* SottoSession → its WaitingLink (borrowed from by_id) */
  GHashTable *by_session;
};

typedef struct
{
  SottoServerLinks *owner;
  char             *id;
  /* The connection that offered, which waits for the approval. */
  SottoSession     *session;
  GBytes           *offer;
  guint             expiry_id;
} WaitingLink;

static void
link_free (gpointer data)
{
  WaitingLink *link = data;

  g_clear_handle_id (&link->expiry_id, g_source_remove);
  g_object_unref (link->session);
  g_bytes_unref (link->offer);
  g_free (link->id);
  g_free (link);
}

SottoServerLinks *
_sotto_server_links_new (void)
{
  SottoServerLinks *self = g_new0 (SottoServerLinks, 1);

  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, link_free);
  self->by_session = g_hash_table_new (NULL, NULL);

  return self;
}

void
_sotto_server_links_free (SottoServerLinks *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->by_session);
  g_hash_table_unref (self->by_id);
  g_free (self);
}

/* Forgets @link. With @release, the connection that offered it, which no
 * longer waits, has the whole login timeout again; a connection that is
 * closing, or offers anew, is not released. */
static void
link_end (SottoServerLinks *self,
          WaitingLink      *link,
          gboolean          release)
{
  g_autoptr(SottoSession) session = g_object_ref (link->session);

  g_hash_table_remove (self->by_session, session);
  g_hash_table_remove (self->by_id, link->id);
  if (release)
    sotto_session_hold_login_timeout (session, FALSE);
}

/**
 * _sotto_server_links_forget_session:
 *
 * Forgets the link a closed connection offered, if any: nothing is sent
 * to it any more.
 */
void
_sotto_server_links_forget_session (SottoServerLinks *self,
                                    SottoSession     *session)
{
  WaitingLink *link = g_hash_table_lookup (self->by_session, session);

  if (link != NULL)
    {
      g_info ("A link ended with its connection");
      link_end (self, link, FALSE);
    }
}

/* The link waiting under @id. One whose connection is closing or closed
 * is gone already, even before the server drops the session from an
 * idle: it is forgotten here, and never sent to. */
static WaitingLink *
lookup_waiting (SottoServerLinks *self,
                const char       *id)
{
  WaitingLink *link = g_hash_table_lookup (self->by_id, id);

  if (link != NULL && !sotto_session_is_open (link->session))
    {
      link_end (self, link, FALSE);
      return NULL;
    }

  return link;
}

static gboolean
link_expired_cb (gpointer user_data)
{
  WaitingLink *link = user_data;
  g_autoptr(GBytes) event = sotto_msg_build_link_expired (link->id);

  link->expiry_id = 0;
  sotto_session_send (link->session, event);
  g_message ("A link expired");
  link_end (link->owner, link, TRUE);

  return G_SOURCE_REMOVE;
}

static void
reply_no_such_link (SottoServerState *self,
                    SottoSession     *session,
                    SottoMsg         *msg)
{
  _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_NO_SUCH_LINK,
                             _("No new computer is waiting under this link"));
}

/**
 * _sotto_server_handle_link_offer:
 *
 * Keeps the offer under its link id, in place of any earlier offer of
 * the same connection, unless another connection holds that id
 * ("link_taken") or the server holds as many links as it may
 * ("overloaded"). Allowed before login: the connection is then held open
 * past the login timeout until the link ends.
 */
void
_sotto_server_handle_link_offer (SottoServerState *self,
                                 SottoSession     *session,
                                 SottoMsg         *msg)
{
  SottoServerLinks *links = self->links;
  const char *id = sotto_msg_get_string (msg, "link");
  WaitingLink *held = lookup_waiting (links, id);
  WaitingLink *own = g_hash_table_lookup (links->by_session, session);
  g_autoptr(GBytes) reply = NULL;
  WaitingLink *link;

  if (held != NULL && held->session != session)
    {
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_LINK_TAKEN,
                                 _("Another computer is already waiting under this link"));
      return;
    }

  /* A connection that replaces its own offer takes no more room. */
  if (own == NULL && g_hash_table_size (links->by_id) >= SOTTO_SERVER_MAX_LINKS)
    {
      g_message ("A link offer from %s refused: %d links are waiting",
                 sotto_session_get_peer (session), SOTTO_SERVER_MAX_LINKS);
      _sotto_server_reply_error (self, session, msg, SOTTO_MSG_ERROR_CODE_OVERLOADED,
                                 _("The server holds too many links; try again later"));
      return;
    }

  if (own != NULL)
    link_end (links, own, FALSE);

  link = g_new0 (WaitingLink, 1);
  link->owner = links;
  link->id = g_strdup (id);
  link->session = g_object_ref (session);
  link->offer = sotto_msg_dup_bytes (msg, "offer");
  /* In ms, not seconds: g_timeout_add_seconds() may fire up to a second
   * early or late, which a short timeout would feel. */
  link->expiry_id = g_timeout_add ((guint) self->config->link_timeout * 1000,
                                   link_expired_cb, link);
  g_hash_table_insert (links->by_id, link->id, link);
  g_hash_table_insert (links->by_session, session, link);
  sotto_session_hold_login_timeout (session, TRUE);

  g_message ("A link offer waits from %s", sotto_session_get_peer (session));
  reply = sotto_msg_build_ok (sotto_msg_get_id (msg));
  sotto_session_send (session, reply);
}

/**
 * _sotto_server_handle_link_fetch:
 *
 * Answers with the offer waiting under the link id, and leaves it there.
 */
void
_sotto_server_handle_link_fetch (SottoServerState *self,
                                 SottoSession     *session,
                                 SottoMsg         *msg)
{
  WaitingLink *link = lookup_waiting (self->links, sotto_msg_get_string (msg, "link"));
  g_autoptr(GBytes) reply = NULL;

  if (link == NULL)
    {
      reply_no_such_link (self, session, msg);
      return;
    }

  reply = sotto_msg_build_link_offered (sotto_msg_get_id (msg), link->id, link->offer);
  sotto_session_send (session, reply);
}

/**
 * _sotto_server_handle_link_approve:
 *
 * Hands the approval to the connection that offered, with the name of
 * the account that approved, then forgets the link and answers "ok". An
 * approval that cannot reach that connection is answered as if the link
 * were gone, since it is.
 */
void
_sotto_server_handle_link_approve (SottoServerState *self,
                                   SottoSession     *session,
                                   SottoMsg         *msg)
{
  SottoUser *user = sotto_session_get_user (session);
  WaitingLink *link = lookup_waiting (self->links, sotto_msg_get_string (msg, "link"));
  g_autoptr(GBytes) approval = NULL;
  g_autoptr(GBytes) event = NULL;
  g_autoptr(GBytes) reply = NULL;
  gboolean delivered;

  if (link == NULL)
    {
      reply_no_such_link (self, session, msg);
      return;
    }

  approval = sotto_msg_dup_bytes (msg, "approval");
  event = sotto_msg_build_link_approved (link->id, approval, user->name);
  delivered = sotto_session_send (link->session, event);
  link_end (self->links, link, TRUE);

  if (!delivered)
    {
      reply_no_such_link (self, session, msg);
      return;
    }

  g_message ("%s approved a link", user->name);
  reply = sotto_msg_build_ok (sotto_msg_get_id (msg));
  sotto_session_send (session, reply);
}
