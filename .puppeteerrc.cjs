// whatsapp-web.js pulls puppeteer; we run it on Debian's chromium, so the install never downloads a browser.
module.exports = { skipDownload: true };
