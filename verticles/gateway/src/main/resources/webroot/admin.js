// The admin view: users and their roles, API keys, audit-chain verification, parked events.

const $ = (id) => document.getElementById(id);
let ctx;
const ROLES = ['admin', 'examiner', 'analyst', 'viewer'];

const cell = (tag, text) => {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
};

export function initAdmin(c) {
  ctx = c;
  $('new-user').addEventListener('submit', (ev) => { ev.preventDefault(); act(createUser); });
  $('new-key').addEventListener('submit', (ev) => { ev.preventDefault(); act(createKey); });
  $('audit-verify').addEventListener('click', () => act(verify));
}

async function act(work) {
  $('admin-msg').textContent = '';
  try {
    await work();
  } catch (e) {
    $('admin-msg').textContent = e.status === 403 ? 'Only admins may do that.' : e.message;
  }
}

export async function refresh() {
  await act(async () => {
    await Promise.all([users(), keys(), parked()]);
  });
}

async function users() {
  const data = await ctx.api('GET', '/users');
  $('users').querySelector('tbody').replaceChildren(...data.users.map((u) => {
    const tr = document.createElement('tr');
    const role = document.createElement('select');
    role.setAttribute('aria-label', 'Role of ' + u.name);
    ROLES.forEach((r) => { const o = cell('option', r); role.append(o); });
    role.value = u.role;
    role.disabled = u.id === ctx.session.me.id;
    role.addEventListener('change', () => act(async () => {
      await ctx.api('PUT', '/users/' + u.id + '/role', { role: role.value }, { 'If-Match': '"' + u.version + '"' });
      $('admin-msg').textContent = u.name + ' is now ' + role.value + '.';
      await users();
    }));
    const td = document.createElement('td');
    td.append(role);
    const actions = document.createElement('td');
    if (u.disabledAt) {
      role.disabled = true;
      actions.textContent = 'disabled';
    } else if (u.id !== ctx.session.me.id) {
      const end = cell('button', 'End sessions');
      end.type = 'button';
      end.setAttribute('aria-label', 'End every session of ' + u.name);
      end.addEventListener('click', () => act(async () => {
        const r = await ctx.api('POST', '/users/' + u.id + '/sessions/end');
        $('admin-msg').textContent = r.sessionsEnded + ' session(s) of ' + u.name + ' ended.';
      }));
      const off = cell('button', 'Disable');
      off.type = 'button';
      off.setAttribute('aria-label', 'Disable ' + u.name);
      off.addEventListener('click', () => act(async () => {
        if (!window.confirm('Disable ' + u.name + '? Their sessions end now, the API keys they issued are revoked, '
            + 'and they can no longer sign in.')) {
          return;
        }
        const r = await ctx.api('POST', '/users/' + u.id + '/disable');
        $('admin-msg').textContent = u.name + ' is disabled: ' + r.sessionsEnded + ' session(s) ended, '
          + r.apiKeysRevoked + ' API key(s) revoked.';
        await Promise.all([users(), keys()]);
      }));
      actions.append(end, ' ', off);
    }
    tr.append(cell('td', u.name), cell('td', u.email), td, actions);
    tr.dataset.user = u.email;
    return tr;
  }));
}

async function createUser() {
  await ctx.api('POST', '/users', { name: $('nu-name').value.trim(), email: $('nu-email').value.trim(),
    password: $('nu-password').value, role: $('nu-role').value });
  $('admin-msg').textContent = 'User created.';
  $('nu-password').value = '';
  await users();
}

async function keys() {
  const data = await ctx.api('GET', '/api-keys');
  $('keys').querySelector('tbody').replaceChildren(...data.keys.map((k) => {
    const tr = document.createElement('tr');
    const state = document.createElement('td');
    if (k.revokedAt) {
      state.textContent = 'revoked';
    } else {
      const b = cell('button', 'Revoke');
      b.type = 'button';
      b.setAttribute('aria-label', 'Revoke key ' + k.name);
      b.addEventListener('click', () => act(async () => { await ctx.api('DELETE', '/api-keys/' + k.id); await keys(); }));
      state.append(b);
    }
    tr.append(cell('td', k.name), cell('td', k.role), cell('td', new Date(k.createdAt).toLocaleString()), state);
    return tr;
  }));
  if (data.keys.length === 0) {
    const tr = document.createElement('tr');
    const td = cell('td', 'No API keys yet: create one for a machine client below.');
    td.colSpan = 4;
    tr.append(td);
    $('keys').querySelector('tbody').append(tr);
  }
}

async function createKey() {
  const k = await ctx.api('POST', '/api-keys', { name: $('nk-name').value.trim(), role: $('nk-role').value });
  $('key-secret').textContent = 'Key ' + k.name + ': ' + k.key + ' — copy it now; it is not shown again.';
  await keys();
}

async function verify() {
  const v = await ctx.api('GET', '/audit/verify');
  $('audit-result').textContent = v.valid ? 'Intact: ' + v.checked + ' rows checked.'
    : 'BROKEN at row ' + v.brokenAt + ': ' + v.detail;
}

async function parked() {
  const tbody = $('parked').querySelector('tbody');
  try {
    const data = await ctx.api('GET', '/admin/security/parked');
    tbody.replaceChildren(...data.events.map((p) => {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      const at = '/admin/security/parked/' + encodeURIComponent(p.subscription) + '/' + p.position;
      const retry = cell('button', 'Retry');
      retry.type = 'button';
      retry.setAttribute('aria-label', 'Retry event ' + p.position + ' of ' + p.subscription);
      retry.addEventListener('click', () => act(async () => {
        await ctx.api('POST', at + '/retry');
        $('admin-msg').textContent = 'Event ' + p.position + ' processed.';
        await parked();
      }));
      const drop = cell('button', 'Drop');
      drop.type = 'button';
      drop.setAttribute('aria-label', 'Drop event ' + p.position + ' of ' + p.subscription + ' without processing it');
      drop.addEventListener('click', () => act(async () => {
        if (!window.confirm('Drop event ' + p.position + ' of ' + p.subscription + ' without processing it?')) return;
        await ctx.api('DELETE', at);
        $('admin-msg').textContent = 'Event ' + p.position + ' dropped.';
        await parked();
      }));
      td.append(retry, ' ', drop);
      tr.append(cell('td', p.subscription), cell('td', String(p.position)), cell('td', p.type), cell('td', p.reason), td);
      return tr;
    }));
    if (data.events.length === 0) {
      const tr = document.createElement('tr');
      const td = cell('td', 'None parked.');
      td.colSpan = 5;
      tr.append(td);
      tbody.append(tr);
    }
  } catch (e) {
    tbody.replaceChildren();
    const tr = document.createElement('tr');
    const td = cell('td', e.status === 403 || e.status === 404 ? 'Only operators see parked events.' : e.message);
    td.colSpan = 5;
    tr.append(td);
    tbody.append(tr);
  }
}
