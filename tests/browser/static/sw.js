// The smallest service worker: it takes control at once, so a test sees it registered and active.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
