/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patron's screen: draws what circd pushes on /events (every word comes
 * from circd, in the patron's language) and posts the patron's touches to
 * /input with this start's token. It decides nothing of its own.
 */
'use strict';

(function () {
	const token = document.querySelector('meta[name="circd-token"]').content;
	const $ = (id) => document.getElementById(id);
	const PIN_MAX = 16;
	/* The countdown shows in the last seconds only: earlier it would only distract. */
	const ENDING_SHOWN_MS = 20000;
	let state = null;
	let pin = '';
	let endsAt = 0;
	let lost = false;
	let source = null;

	function post(action, value) {
		const body = new URLSearchParams({ action: action });
		if (value !== undefined)
			body.set('value', value);
		return fetch('/input', {
			method: 'POST',
			headers: { 'X-Circd-Token': token },
			body: body,
		}).catch(() => {});
	}

	function label(name) {
		return state && state.labels[name] ? state.labels[name] : '';
	}

	function setText(id, text) {
		const el = $(id);
		if (el.textContent !== text)
			el.textContent = text;
	}

	function drawPin() {
		setText('pin-digits', '\u2022'.repeat(pin.length));
		$('pin-digits').setAttribute('aria-label', label('pin_label') + ': ' + pin.length);
	}

	function drawLanguages() {
		const nav = $('languages');
		nav.setAttribute('aria-label', label('language'));
		nav.replaceChildren();
		for (const l of state.languages) {
			const b = document.createElement('button');
			b.type = 'button';
			b.className = 'language';
			b.lang = l.code;
			b.textContent = l.name;
			b.setAttribute('aria-pressed', String(l.code === state.language));
			b.addEventListener('click', () => post('language', l.code));
			nav.appendChild(b);
		}
	}

	function drawItems() {
		const list = $('item-list');
		list.replaceChildren();
		for (const it of state.items) {
			const li = document.createElement('li');
			const title = document.createElement('span');
			title.className = 'title';
			title.textContent = it.title || it.item;
			li.appendChild(title);
			if (it.title) {
				const code = document.createElement('span');
				code.className = 'barcode';
				code.textContent = it.item;
				li.appendChild(code);
			}
			if (it.due) {
				const due = document.createElement('span');
				due.className = 'due';
				due.textContent = it.due;
				li.appendChild(due);
			}
			list.appendChild(li);
		}
		list.lastElementChild?.scrollIntoView({ block: 'nearest' });
	}

	function drawEnding() {
		const left = endsAt ? endsAt - performance.now() : 0;
		const shown = left > 0 && left <= ENDING_SHOWN_MS;
		setText('ending', shown ? label('ending').replace('{seconds}',
			String(Math.ceil(left / 1000))) : '');
	}

	function draw() {
		const s = state;
		document.documentElement.lang = s.language;
		document.body.dataset.screen = s.screen;
		document.body.dataset.kind = s.kind;
		document.body.classList.toggle('busy', s.busy);
		setText('message', s.text);
		$('offline').hidden = !s.offline;
		setText('offline', s.offline_text);
		setText('help', label('help'));
		setText('done', label('done'));
		setText('pin-label', label('pin_label'));
		setText('pin-ok', label('pin_ok'));
		setText('pin-delete', label('pin_delete'));
		setText('items-heading', label('items'));
		setText('gone-text', '\u26a0 ' + label('gone'));
		$('pin-delete').setAttribute('aria-label', label('pin_delete'));
		$('pin-ok').setAttribute('aria-label', label('pin_ok'));
		$('pin').hidden = s.screen !== 'pin';
		if (s.screen !== 'pin')
			pin = '';
		drawPin();
		$('items').hidden = s.screen !== 'items' || !s.items.length;
		$('done').hidden = s.screen !== 'items' && s.screen !== 'pin';
		$('receipt').hidden = !s.receipt_asked;
		setText('receipt-question', label('receipt_question'));
		setText('receipt-yes', label('yes'));
		setText('receipt-no', label('no'));
		$('receipt-yes').setAttribute('aria-pressed', String(s.receipt_wanted));
		$('receipt-no').setAttribute('aria-pressed', String(!s.receipt_wanted));
		drawItems();
		drawLanguages();
		endsAt = s.ends_in_ms ? performance.now() + s.ends_in_ms : 0;
		drawEnding();
	}

	function connect() {
		source = new EventSource('/events');
		source.onmessage = (e) => {
			state = JSON.parse(e.data);
			$('gone').hidden = true;
			draw();
		};
		source.onopen = () => {
			/* circd started again: its token is new, and so perhaps is this page. */
			if (lost)
				location.reload();
		};
		source.onerror = () => {
			lost = true;
			$('gone').hidden = false;
			document.body.dataset.screen = 'gone';
			/* A refused stream is not retried by the browser: start again ourselves. */
			if (source.readyState === EventSource.CLOSED) {
				source.close();
				setTimeout(connect, 1000);
			}
		};
	}

	for (const b of document.querySelectorAll('[data-digit]')) {
		b.setAttribute('aria-label', b.dataset.digit);
		b.addEventListener('click', () => {
			if (pin.length < PIN_MAX)
				pin += b.dataset.digit;
			drawPin();
		});
	}
	$('pin-delete').addEventListener('click', () => {
		pin = pin.slice(0, -1);
		drawPin();
	});
	$('pin-ok').addEventListener('click', () => {
		if (!pin)
			return;
		post('pin', pin);
		pin = '';
		drawPin();
	});
	$('done').addEventListener('click', () => post('done'));
	$('help').addEventListener('click', () => post('help'));
	$('receipt-yes').addEventListener('click', () => post('receipt', 'yes'));
	$('receipt-no').addEventListener('click', () => post('receipt', 'no'));
	setInterval(drawEnding, 1000);
	connect();
})();
