// Live conversation: polls for new messages every 4 s and appends them (built with DOM
// methods, never innerHTML, so message text cannot inject markup). Without JS the page
// still works: the form posts and the page reloads.
(() => {
  const thread = document.getElementById("thread");
  if (!thread) return;
  const sinceUrl = thread.dataset.sinceUrl;
  let lastId = parseInt(thread.dataset.lastId || "0", 10);
  let busy = false;

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const render = (m) => {
    if (m.kind === "system") {
      const row = el("div", "msg msg-system");
      const badge = el("span", "badge text-bg-light border text-wrap text-start fw-normal");
      badge.append(el("i", "bi bi-info-circle"), " " + m.body);
      row.append(badge, el("div", "msg-time", m.time));
      return row;
    }
    const row = el("div", "msg " + (m.mine ? "msg-mine" : "msg-theirs"));
    const bubble = el("div", "msg-bubble");
    if (!m.mine) bubble.append(el("div", "msg-sender", m.sender));
    if (m.body) bubble.append(el("div", "text-pre", m.body));
    if (m.attachment) {
      const link = el("a", m.attachment.is_image ? "" : "msg-file");
      link.href = m.attachment.url;
      if (m.attachment.is_image) {
        const img = el("img", "msg-image");
        img.src = m.attachment.url;
        img.alt = m.attachment.name;
        link.append(img);
      } else {
        link.append(el("i", "bi bi-file-earmark-pdf"), " " + m.attachment.name);
      }
      bubble.append(link);
    }
    if (m.contact_warning) {
      const wrap = el("div");
      wrap.append(el("span", "badge text-bg-warning msg-warning",
        "Contact details shared — payments outside Duet are not protected"));
      bubble.append(wrap);
    }
    row.append(bubble, el("div", "msg-time", m.time));
    return row;
  };

  const atBottom = () => thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;

  const poll = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(sinceUrl + lastId, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      if (!data.messages.length) return;
      const stick = atBottom();
      thread.querySelector(".thread-empty")?.remove();
      data.messages.forEach((m) => {
        if (document.getElementById("m" + m.id)) return;
        const node = render(m);
        node.id = "m" + m.id;
        node.dataset.id = m.id;
        thread.append(node);
      });
      lastId = data.last_id;
      if (stick) thread.scrollTop = thread.scrollHeight;
    } catch (err) {
      // Offline for a moment: try again on the next tick.
    } finally {
      busy = false;
    }
  };

  thread.scrollTop = thread.scrollHeight;
  setInterval(poll, 4000);
})();
