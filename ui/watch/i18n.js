// i18n.js — every string of the public watch page, one table per language.
// zh-CN is the default; English is one tap away. Keys are used by data-i18n
// attributes in the HTML and by t() in watch.js.
export const MESSAGES = {
  'zh-CN': {
    'app.title': '庭审直播',
    'app.subtitle': '公开审理案件的庭审直播与回放',
    'lang.switch': 'English',
    'live.title': '正在直播',
    'live.none': '现在没有公开庭审直播。',
    'vod.title': '庭审回放',
    'vod.none': '暂无回放。',
    'state.live': '直播中',
    'state.paused': '休庭中',
    'state.finished': '已结束',
    'state.cut': '直播暂停',
    'item.court': '法院',
    'item.room': '法庭',
    'item.case': '案号',
    'item.cause': '案由',
    'item.started': '开庭时间',
    'item.duration': '时长 {d}',
    'player.close': '关闭',
    'player.loading': '正在连接…',
    'player.reconnecting': '连接中断，正在重新连接…',
    'player.ended': '本场庭审直播已结束。',
    'player.unsupported': '此浏览器无法播放直播，请更换浏览器。',
    'player.tap': '点击播放',
    'list.error': '无法获取直播列表，稍后自动重试。',
    'footer.notice': '庭审直播仅限公开审理的案件。未经许可，禁止录制、传播。',
  },
  en: {
    'app.title': 'Court hearings live',
    'app.subtitle': 'Live and recorded public hearings',
    'lang.switch': '中文',
    'live.title': 'Live now',
    'live.none': 'No public hearing is live now.',
    'vod.title': 'Recorded hearings',
    'vod.none': 'No recordings yet.',
    'state.live': 'Live',
    'state.paused': 'In recess',
    'state.finished': 'Ended',
    'state.cut': 'Broadcast paused',
    'item.court': 'Court',
    'item.room': 'Courtroom',
    'item.case': 'Case',
    'item.cause': 'Cause',
    'item.started': 'Opened',
    'item.duration': 'Duration {d}',
    'player.close': 'Close',
    'player.loading': 'Connecting…',
    'player.reconnecting': 'Connection lost, reconnecting…',
    'player.ended': 'This hearing has ended.',
    'player.unsupported': 'This browser cannot play the stream; please try another.',
    'player.tap': 'Tap to play',
    'list.error': 'Cannot load the list; retrying shortly.',
    'footer.notice': 'Only public hearings are broadcast. Recording or redistribution without permission is prohibited.',
  },
};

const LANG_KEY = 'courtav.watch.lang';

export function getLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return 'zh-CN';
}

export function setLang(lang) {
  localStorage.setItem(LANG_KEY, lang === 'en' ? 'en' : 'zh-CN');
}

// t('item.duration', {d: '1:02:03'}) in the current language; unknown keys
// fall back to zh-CN, then to the key itself.
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
