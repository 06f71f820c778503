"""Data keys made for the tests (Fernet keys; never real ones): every test's settings use TEST_DATA_KEY."""
TEST_DATA_KEY = "k7sH1pPq3mU0r6cS9kV2yB5eX8wA4zD7gJ1nL0tQ3fI="
NEXT_DATA_KEY = "Qm5vR2tYd0p6S3hOcUw4YjdWZmE5Q3VFc2lHMWhUcDA="
