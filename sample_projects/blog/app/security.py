import hashlib


def hash_password(password: str) -> str:
    # a sample app: a real one uses passlib/argon2
    return hashlib.sha256(password.encode()).hexdigest()
