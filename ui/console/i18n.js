// i18n.js — every string of the relay console, one table per language.
// zh-CN is the default; English is one tap away.
export const MESSAGES = {
  'zh-CN': {
    'app.title': '庭审巡查控制台',
    'lang.switch': 'English',
    'login.title': '登录',
    'login.name': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.failed': '用户名或密码错误，或账户已锁定。',
    'top.logout': '退出',
    'rooms.title': '全部法庭',
    'rooms.none': '暂无法庭上线。',
    'rooms.error': '无法获取法庭状态，正在重试…',
    'room.live': '庭审中',
    'room.idle': '未开庭',
    'room.offline': '离线',
    'room.public': '公开',
    'room.private': '不公开',
    'room.case': '案号',
    'room.cause': '案由',
    'room.started': '开庭',
    'room.view': '查看',
    'room.cut': '暂停公开直播',
    'room.uncut': '恢复公开直播',
    'room.is_cut': '公开直播已暂停',
    'view.close': '关闭',
    'view.notice': '查看记录将写入审计日志。',
    'view.connecting': '正在连接…',
    'view.first': '首帧用时 {ms} 毫秒',
    'view.failed': '无法查看该法庭：{why}',
    'view.unsupported': '此浏览器不支持低延迟查看。',
  },
  en: {
    'app.title': 'Hearing inspection console',
    'lang.switch': '中文',
    'login.title': 'Log in',
    'login.name': 'User name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.failed': 'Wrong user name or password, or the account is locked.',
    'top.logout': 'Log out',
    'rooms.title': 'All courtrooms',
    'rooms.none': 'No courtroom is online.',
    'rooms.error': 'Cannot load the courtrooms; retrying…',
    'room.live': 'In session',
    'room.idle': 'No hearing',
    'room.offline': 'Offline',
    'room.public': 'Public',
    'room.private': 'Not public',
    'room.case': 'Case',
    'room.cause': 'Cause',
    'room.started': 'Opened',
    'room.view': 'View',
    'room.cut': 'Pause public broadcast',
    'room.uncut': 'Resume public broadcast',
    'room.is_cut': 'Public broadcast paused',
    'view.close': 'Close',
    'view.notice': 'Every view is recorded in the audit log.',
    'view.connecting': 'Connecting…',
    'view.first': 'First picture after {ms} ms',
    'view.failed': 'Cannot view this courtroom: {why}',
    'view.unsupported': 'This browser cannot play the low-latency view.',
  },
};

const LANG_KEY = 'courtav.console.lang';

export function getLang() {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'en' ? 'en' : 'zh-CN';
}

export function setLang(lang) {
  localStorage.setItem(LANG_KEY, lang === 'en' ? 'en' : 'zh-CN');
}

export function t(key, vars) {
  const table = MESSAGES[getLang()] || MESSAGES['zh-CN'];
  let s = table[key] ?? MESSAGES['zh-CN'][key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function applyI18n(root = document) {
  document.documentElement.lang = getLang();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
