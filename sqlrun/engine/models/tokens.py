"""A cursor over a statement's sqlglot tokens that raises errors at file:line:col."""

from __future__ import annotations

from sqlglot.tokens import Token, TokenType

from sqlrun.engine.catalog import Query
from sqlrun.errors import CompileError


class TokenReader:
    """A cursor over the statement's tokens that raises positioned errors."""

    def __init__(self, query: Query, tokens: list[Token]):
        self.query, self.tokens, self.i = query, tokens, 0

    def at(self, token: Token | None = None) -> str:
        token = token or self.peek() or (self.tokens[-1] if self.tokens else None)
        if token is None:
            return str(self.query.path)
        return f"{self.query.path}:{token.line}:{token.col - (token.end - token.start)}"

    def error(self, message: str, token: Token | None = None) -> CompileError:
        return CompileError(f"{self.at(token)}: CREATE MODEL: {message}")

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise self.error(f"expected {what}, found the end of the statement")
        self.i += 1
        return token

    def word(self, what: str) -> str:
        token = self.next(what)
        if token.token_type in (TokenType.STRING, TokenType.NUMBER, TokenType.L_PAREN, TokenType.R_PAREN,
                                TokenType.COMMA, TokenType.SEMICOLON):
            raise self.error(f"expected {what}, found '{token.text}'", token)
        return token.text

    def keyword(self, *words: str) -> str | None:
        """Consume the next token if it is one of `words` (case-insensitive)."""
        token = self.peek()
        if token is not None and token.text.upper() in words and token.token_type != TokenType.STRING:
            self.i += 1
            return token.text.upper()
        return None

    def expect(self, text: str, what: str | None = None) -> Token:
        token = self.next(what or f"'{text}'")
        if token.text.upper() != text.upper():
            raise self.error(f"expected {what or repr(text)}, found '{token.text}'", token)
        return token

    def string(self, what: str) -> str:
        token = self.next(what)
        if token.token_type != TokenType.STRING:
            raise self.error(f"expected {what} as a quoted string, found '{token.text}'", token)
        return token.text

    def value(self, what: str) -> str:
        """A quoted string, a number or a bare word (Redshift accepts each in SETTINGS)."""
        token = self.next(what)
        if token.token_type in (TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA, TokenType.SEMICOLON):
            raise self.error(f"expected {what}, found '{token.text}'", token)
        return token.text
