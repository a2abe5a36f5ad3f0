/* courtav disc player.
 *
 * Reads window.COURTAV_DISC (player/data.js, written for this disc) and plays
 * the hearing folders' MP4 files: pick a hearing and a track (a camera, the
 * composed program picture, or the audio), see the hearing's timeline —
 * recording, interruptions, marks — and click a mark or the timeline to play
 * from that moment. A track is a chain of files; the file holding a moment is
 * found from each file's recorded start and end, and the next file follows
 * when one ends. Times are shown in Beijing time (UTC+8), as in the court.
 *
 * No network, no framework, no build step: it must work from a disc in any
 * browser decades from now. Strings: one table per language, Chinese first.
 */
(function () {
	"use strict";

	var MSG = {
		zh: {
			lang: "English",
			disc: "第 {0} 张，共 {1} 张",
			hearing: "庭审 {0}",
			split: "本庭审部分录像在其他光盘上",
			program: "合成画面",
			audio: "声音",
			log: "录制起止及中断情况记录（可打印）",
			logtxt: "纯文本",
			noSegment: "该时刻没有录像（中断期间）。",
			elsewhere: "该时刻的录像在本组的其他光盘上。",
			noData: "未找到 player/data.js：光盘内容不完整。",
			failed: "无法播放 {0}：浏览器不支持或文件损坏。",
			paused: "中断",
			recording: "录制"
		},
		en: {
			lang: "中文",
			disc: "disc {0} of {1}",
			hearing: "Hearing {0}",
			split: "part of this hearing is on another disc",
			program: "program",
			audio: "audio",
			log: "Recording log and fault report (printable)",
			logtxt: "plain text",
			noSegment: "Nothing was recorded at that moment (an interruption).",
			elsewhere: "The recording of that moment is on another disc of the set.",
			noData: "player/data.js is missing: the disc is incomplete.",
			failed: "Cannot play {0}: the browser does not support it or the file is damaged.",
			paused: "interrupted",
			recording: "recording"
		}
	};
	var lang = (navigator.language || "zh").indexOf("zh") === 0 ? "zh" : "en";
	var data = window.COURTAV_DISC;
	var state = { hearing: null, track: null, seg: null, pendingOffset: 0 };
	var $ = function (id) { return document.getElementById(id); };
	var video = $("video");

	function t(key) {
		var s = MSG[lang][key] || key;
		for (var i = 1; i < arguments.length; i++)
			s = s.replace("{" + (i - 1) + "}", arguments[i]);
		return s;
	}

	function el(tag, attrs, text) {
		var e = document.createElement(tag);
		for (var k in attrs || {})
			e.setAttribute(k, attrs[k]);
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	function pad(n) { return (n < 10 ? "0" : "") + n; }

	/* Beijing time without relying on the browser's time-zone data. */
	function bj(us) {
		var d = new Date(us / 1000 + 8 * 3600 * 1000);
		return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
			" " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
	}

	function fileUrl(h, file) {
		return h.dir + "/" + file.split("/").map(encodeURIComponent).join("/");
	}

	function span(h) {
		var start = h.opened_us, end = h.closed_us;
		h.tracks.forEach(function (tr) {
			tr.segments.forEach(function (s) {
				start = Math.min(start, s.start_us);
				end = Math.max(end, s.end_us);
			});
		});
		return { start: start, end: Math.max(end, start + 1) };
	}

	function trackRank(name) {
		return name === "program" ? 1 : name === "audio" ? 2 : 0;
	}

	function trackName(name) {
		if (name === "program") return t("program");
		if (name === "audio") return t("audio");
		return name;
	}

	/* The segment of the current track holding @us, else the next one. */
	function segmentAt(us) {
		var segs = state.track.segments, next = null;
		for (var i = 0; i < segs.length; i++) {
			var s = segs[i];
			if (s.start_us <= us && us < s.end_us)
				return { seg: s, offset: (us - s.start_us) / 1e6 };
			if (s.start_us > us && (!next || s.start_us < next.start_us))
				next = s;
		}
		return next ? { seg: next, offset: 0, gap: true } : null;
	}

	function notice(text) { $("notice").textContent = text || ""; }

	function load(seg, offset) {
		state.seg = seg;
		state.pendingOffset = offset;
		video.src = fileUrl(state.hearing, seg.file);
		video.load();
	}

	function playAt(us) {
		var hit = segmentAt(us);
		notice("");
		if (!hit) { notice(t("noSegment")); return; }
		if (!hit.seg.here) { notice(t("elsewhere")); return; }
		if (hit.gap) notice(t("noSegment"));
		if (state.seg === hit.seg && video.readyState >= 1) {
			video.currentTime = hit.offset;
			video.play().catch(function () {});
		} else {
			load(hit.seg, hit.offset);
		}
	}

	video.addEventListener("loadedmetadata", function () {
		video.currentTime = state.pendingOffset;
		video.play().catch(function () {});
	});
	video.addEventListener("ended", function () {
		var segs = state.track.segments, i = segs.indexOf(state.seg);
		if (i >= 0 && i + 1 < segs.length && segs[i + 1].here)
			load(segs[i + 1], 0);
	});
	video.addEventListener("error", function () {
		if (state.seg) notice(t("failed", state.seg.file));
	});
	video.addEventListener("timeupdate", function () {
		if (!state.seg) return;
		var us = state.seg.start_us + video.currentTime * 1e6, sp = span(state.hearing);
		$("now").textContent = bj(us) + "  ·  " + trackName(state.track.name) + "  ·  " + state.seg.file;
		$("cursor").style.display = "block";
		$("cursor").style.left = (100 * (us - sp.start) / (sp.end - sp.start)) + "%";
	});

	function drawTimeline(h) {
		var tl = $("timeline"), sp = span(h);
		Array.prototype.slice.call(tl.querySelectorAll(".iv,.tick")).forEach(function (n) { n.remove(); });
		var pct = function (us) { return (100 * (us - sp.start) / (sp.end - sp.start)) + "%"; };
		h.intervals.forEach(function (iv) {
			var end = iv.end_us || sp.end;
			var d = el("div", { "class": "iv " + (iv.reason === "fault" ? "fault" : iv.kind) });
			d.style.left = pct(iv.start_us);
			d.style.width = (100 * (end - iv.start_us) / (sp.end - sp.start)) + "%";
			d.title = (iv.kind === "recording" ? t("recording") :
				t("paused") + " " + (lang === "zh" ? iv.reason_zh : iv.reason)) + " " + bj(iv.start_us);
			tl.appendChild(d);
		});
		h.marks.forEach(function (m) {
			var d = el("div", { "class": "tick", title: bj(m.at_us) + " " + m.label });
			d.style.left = pct(m.at_us);
			tl.appendChild(d);
		});
		tl.onclick = function (ev) {
			var r = tl.getBoundingClientRect();
			playAt(sp.start + (ev.clientX - r.left) / r.width * (sp.end - sp.start));
		};
	}

	function selectTrack(name) {
		var h = state.hearing;
		state.track = h.tracks.filter(function (tr) { return tr.name === name; })[0] || h.tracks[0];
		state.seg = null;
		Array.prototype.forEach.call($("tracks").children, function (b) {
			b.setAttribute("aria-selected", b.dataset.track === state.track.name ? "true" : "false");
		});
		if (state.track && state.track.segments.length) {
			var first = state.track.segments.filter(function (s) { return s.here; })[0];
			if (first) load(first, 0), video.pause();
		}
	}

	function selectHearing(i) {
		var h = data.hearings[i];
		state.hearing = h;
		Array.prototype.forEach.call($("hearings").children, function (b, j) {
			b.classList.toggle("on", j === i);
		});
		var tracks = $("tracks");
		tracks.textContent = "";
		/* Cameras first, then the composed picture, then the sound. */
		h.tracks.sort(function (a, b) {
			return trackRank(a.name) - trackRank(b.name) || (a.name < b.name ? -1 : a.name > b.name);
		});
		h.tracks.forEach(function (tr) {
			var b = el("button", { type: "button", role: "tab" }, trackName(tr.name));
			b.dataset.track = tr.name;
			b.onclick = function () { selectTrack(tr.name); };
			tracks.appendChild(b);
		});
		var marks = $("marks");
		marks.textContent = "";
		h.marks.forEach(function (m) {
			var b = el("button", { type: "button" });
			b.appendChild(el("time", {}, bj(m.at_us)));
			b.appendChild(document.createTextNode(m.label));
			b.onclick = function () { playAt(m.at_us); };
			var li = el("li");
			li.appendChild(b);
			marks.appendChild(li);
		});
		var links = $("links");
		links.textContent = "";
		var a = el("a", { href: "pages/" + h.dir + "-log.html" }, t("log"));
		links.appendChild(a);
		links.appendChild(document.createTextNode(" · "));
		links.appendChild(el("a", { href: "pages/" + h.dir + "-log.txt" }, t("logtxt")));
		drawTimeline(h);
		selectTrack(h.tracks.some(function (tr) { return tr.name === "program"; }) ? "program" : (h.tracks[0] || {}).name);
		notice(h.split ? t("split") : "");
	}

	function render() {
		document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
		$("lang").textContent = t("lang");
		$("case").textContent = data.case_number + "  " + (data.case_title || "");
		$("meta").textContent = [data.court, data.room, t("disc", data.disc, data.discs)]
			.filter(Boolean).join(" · ");
		var nav = $("hearings");
		nav.textContent = "";
		data.hearings.forEach(function (h, i) {
			var b = el("button", { type: "button" }, t("hearing", h.id));
			b.appendChild(el("small", {}, bj(h.opened_us)));
			b.onclick = function () { selectHearing(i); };
			nav.appendChild(b);
		});
		if (data.hearings.length)
			selectHearing(data.hearings.indexOf(state.hearing) >= 0 ? data.hearings.indexOf(state.hearing) : 0);
	}

	$("lang").onclick = function () { lang = lang === "zh" ? "en" : "zh"; render(); };

	/* For the disc's own test (tests/disc): "#autotest=H,M[,TRACK]" plays mark
	 * M of hearing H and reports on the console once playback has gone on a
	 * second past the mark (across files if need be), with where the first
	 * seek landed; then closes the window. Harmless otherwise. */
	function autotest(spec) {
		var p = spec.split(","), h = data.hearings[+p[0]], m = h && h.marks[+p[1]];
		var done = false, seeked = null;
		var report = function (o) {
			if (done) return;
			done = true;
			console.log("CAVTEST " + JSON.stringify(o));
			setTimeout(function () { window.close(); }, 50);
		};
		if (!m) { report({ ok: false, why: "no such mark" }); return; }
		selectHearing(+p[0]);
		if (p[2]) selectTrack(p[2]);
		video.muted = true;
		var hit = segmentAt(m.at_us);
		if (!hit) { report({ ok: false, why: "no segment" }); return; }
		video.addEventListener("seeked", function () {
			if (seeked === null && state.seg === hit.seg) seeked = video.currentTime;
		});
		video.addEventListener("timeupdate", function () {
			var us = state.seg ? state.seg.start_us + video.currentTime * 1e6 : 0;
			if (seeked === null || us < m.at_us + 1e6) return;
			report({ ok: true, file: hit.seg.file, track: state.track.name, mark: m.label,
				offset: hit.offset, seeked: seeked, now_file: state.seg.file });
		});
		video.addEventListener("error", function () {
			report({ ok: false, why: "media error " + (video.error && video.error.code) });
		});
		setTimeout(function () {
			report({ ok: false, why: "timeout", seeked: seeked, t: video.currentTime });
		}, 20000);
		playAt(m.at_us);
	}

	if (!data) {
		notice(MSG[lang].noData);
		return;
	}
	render();
	var hash = location.hash.match(/autotest=([0-9]+,[0-9]+(,[A-Za-z0-9_-]+)?)/);
	if (hash) autotest(hash[1]);
})();
