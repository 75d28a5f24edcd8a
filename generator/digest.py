"""Values (the model's and the views' objects, strings, numbers, tuples) -> content digests.

A digest is a hash of a canonical serialisation: two values with the same digest are the same
value, whichever process made them, so a digest can key a stored result across builds. The
serialisation is pickle's, in its `fast` mode (no memo: shared and repeated objects are
written out the same way), with dataclasses written as their class and field values, enums
as their class and value. Objects of the model and the views that many pages share (a
source, an article, a claim's view) are digested once and stand in their container as their
digest, so a page's digest costs what the page itself holds, not what its objects point to.

A value that cannot be serialised (a function, an open file) has no digest: `digest` raises
`Undigestible`, and a result that depends on it is never reused.
"""

from __future__ import annotations

import copyreg
import dataclasses
import enum
import functools
import hashlib
import io
import operator
import pickle
from collections.abc import Callable, Iterable
from typing import Any

DIGEST_BYTES = 16
"""The length of a digest (BLAKE2b): 128 bits, far beyond any site's number of values."""


@functools.cache
def shared_types() -> frozenset[type]:
    """Frozen types whose objects are shared between pages: each object is digested once (they
    are immutable) and written into its container as its digest. (Imported when first asked
    for: what only hashes bytes, as a build with nothing changed does, needs none of them.)"""
    from generator import model, views
    from generator.render import feeds

    return frozenset((
        model.Site, model.Source, model.Passage, model.Article, model.Outlet, model.Claim,
        model.Page, model.Entities,
        views.SiteViews, views.ClaimView, views.AppearanceView, views.OutletView,
        views.SourceView, views.OutletRecord, views.OutletClaim, feeds.ApiEntry,
    ))

_PROTOCOL = 5

LONG_TUPLE = 32
"""A tuple of at least this many shared objects is written as the digest of their digests."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Joined:
    """A tuple of shared objects, as the digest of their digests joined in order (see
    `Digests.compact`): 16 bytes, however long the tuple (a memo holds one for each long
    tuple a run met)."""

    digest: bytes


_DIGEST = operator.itemgetter(1)


def _either(a: Any, b: Any) -> Any:
    return a if a is not None else b


class Undigestible(Exception):
    """A value that has no canonical serialisation."""


def _stand_in(data: bytes) -> bytes:
    return data


class _Reducers(dict[type, Callable[[Any], Any]]):
    """pickle's dispatch table, filled in for each dataclass and enum type as it is met."""

    def __init__(self, digests: Digests) -> None:
        super().__init__(copyreg.dispatch_table)
        self.digests = digests

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        reducer: Callable[[Any], Any]
        if dataclasses.is_dataclass(cls):
            names = [field.name for field in dataclasses.fields(cls)]
            getter = operator.attrgetter(*names) if names else (lambda obj: ())
            if len(names) == 1:
                single = getter

                def getter(obj: Any) -> tuple[Any, ...]:
                    return (single(obj),)

            if cls in self.digests.shared:
                memo = self.digests.memo
                earlier = self.digests.earlier
                compact = self.digests.compact
                of_compacted = self.digests.of_compacted

                def reducer(obj: Any) -> Any:
                    found = memo.get(id(obj))
                    if found is None:
                        found = earlier.get(id(obj))
                        if found is None or found[0] is not obj:
                            values = getter(obj)
                            if tuple in map(type, values):  # compacted (most fields are not)
                                values = tuple(map(compact, values))
                            found = (obj, of_compacted((cls, values)))
                        memo[id(obj)] = found
                    return _stand_in, (found[1],)
            else:
                def reducer(obj: Any) -> Any:
                    return cls, getter(obj)
        elif issubclass(cls, type):
            def reducer(obj: Any) -> Any:  # a class of a metaclass (an Enum's): by its name, as
                return obj.__qualname__  # pickle writes a class; met here, it is found at once
        elif isinstance(cls, type) and issubclass(cls, enum.Enum):
            def reducer(obj: Any) -> Any:
                return cls, (obj._value_,)
        elif isinstance(cls, type) and issubclass(cls, str) and not hasattr(cls, "__dict__"):
            def reducer(obj: Any) -> Any:  # Markup and the like: its class and its text
                return cls, (str(obj),)
        else:
            raise KeyError(cls)  # pickle's own reduction for everything else
        self[cls] = reducer
        return reducer


class Digests:
    """Digests of values, each shared object digested once. Objects are remembered by
    identity and kept alive while this is; `previous` offers what a former build (in a
    preview server) digested, for the objects that are still the same ones."""

    def __init__(self, shared: Iterable[type] | None = None, previous: Digests | None = None
                 ) -> None:
        self.shared = shared_types() if shared is None else frozenset(shared)
        self.memo: dict[int, tuple[Any, bytes]] = {}
        self.earlier: dict[int, tuple[Any, bytes]] = previous.memo if previous else {}
        self.joined: dict[int, tuple[tuple[Any, ...], _Joined]] = {}
        """Long tuples of shared objects written as the digest of their digests (see
        `compact`), by id."""
        self._joined_before = previous.joined if previous else {}
        self._reducers = _Reducers(self)

    def of(self, value: Any) -> bytes:
        """The digest of `value`; Undigestible when it cannot be serialised."""
        return self.of_compacted(self.compact(value))

    def of_compacted(self, value: Any) -> bytes:
        """`of(value)` for a value `compact` has already been through."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=_PROTOCOL)
        pickler.dispatch_table = self._reducers
        pickler.fast = True
        try:
            pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
            raise Undigestible(str(exc)) from None
        return hashlib.blake2b(buffer.getbuffer(), digest_size=DIGEST_BYTES).digest()

    def compact(self, value: Any, depth: int = 3) -> Any:
        """`value`, where it is a long tuple of shared objects (or holds one, `depth` tuples
        down: a page's context is pairs of names and values, a template's global may be pairs
        of a name and a list), with that tuple as the digest of its objects' digests
        (`_Joined`): written so, a list of every claim's view costs a look-up per claim, not a
        pickling."""
        if type(value) is not tuple or not depth:
            return value
        shared = self.shared
        long = len(value) >= LONG_TUPLE
        if long:
            known = self.joined.get(id(value)) or self._joined_before.get(id(value))
            if known is not None and known[0] is value:  # held there, so no other has its id
                self.joined[id(value)] = known
                return known[1]
        if long and shared.issuperset(map(type, value)):
            # an object the memo holds is alive, so no other object has its id
            ids = list(map(id, value))
            found: list[Any] = list(map(self.memo.get, ids))
            if None in found:
                if found.count(None) == len(found):  # none digested in this run yet
                    found = list(map(self.earlier.get, ids))
                else:
                    found = list(map(_either, found, map(self.earlier.get, ids)))
                at = -1
                try:
                    while True:  # the few made since this run began, found by C-level scans
                        at = found.index(None, at + 1)
                        found[at] = (value[at], self.of_shared(value[at]))
                except ValueError:
                    pass
                self.memo.update(zip(ids, found))
            joined = _Joined(of_bytes(b"".join(map(_DIGEST, found))))
            self.joined[id(value)] = (value, joined)
            return joined
        if depth > 1 and tuple in map(type, value):  # (a tuple in it is itself one level down)
            return tuple(self.compact(item, depth - 1) for item in value)
        return value

    def of_shared(self, obj: Any) -> bytes:
        """The digest a shared object (of one of the `shared` types) stands as in the values
        that hold it: what `known` takes. (`of(obj)` is the digest of a value that is that
        object alone, another digest.)"""
        if type(obj) not in self.shared:
            raise TypeError(f"{type(obj).__name__} is not a shared type")
        found = self.memo.get(id(obj))
        if found is None or found[0] is not obj:
            found = self.earlier.get(id(obj))
            if found is None or found[0] is not obj:
                self.of(obj)
                found = self.memo[id(obj)]
            else:
                self.memo[id(obj)] = found
        return found[1]

    def carry(self, objects: Iterable[Any]) -> None:
        """Take the former build's digests of `objects` that this one has not needed (the
        objects still the same ones), so that the build after this one finds them too: a
        run that needed no digest of them must not make the next one digest them all again."""
        memo, earlier = self.memo, self.earlier
        for obj in objects:
            if id(obj) not in memo:
                found = earlier.get(id(obj))
                if found is not None and found[0] is obj:
                    memo[id(obj)] = found

    def known(self, obj: Any, digest: bytes) -> None:
        """Take `digest` as the digest of the shared object `obj` (its `of_shared`, worked out
        elsewhere, e.g. in a worker process, from the same value)."""
        self.memo[id(obj)] = (obj, digest)

    def forget_earlier(self) -> None:
        """Let go of what the former build digested (once this build is done with it)."""
        self.earlier = {}
        self._joined_before = {}
        self._reducers = _Reducers(self)


def combine(*parts: bytes | str) -> bytes:
    """One digest of several digests and names, in order."""
    hasher = hashlib.blake2b(digest_size=DIGEST_BYTES)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(4, "big"))
        hasher.update(data)
    return hasher.digest()


def of_bytes(data: bytes) -> bytes:
    """The digest of some bytes (a file's)."""
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).digest()
