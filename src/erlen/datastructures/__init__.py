"""The containers requests and responses are made of: multi-value dicts, headers, uploads,
and the parsed forms of structured headers (Accept, ETags, Range, Cache-Control, ...).

Parsing and serialising the header syntax lives in :mod:`erlen.http`; the classes here hold
the parsed values and answer questions about them (``accept.best_match``, ``etags.contains``,
``range.range_for_length``). The names match ``werkzeug.datastructures``; each is defined in
a small module of this package named after its concept (``headers``, ``accept``, ``range``,
...) and imported from here.
"""

from .accept import Accept as Accept
from .accept import CharsetAccept as CharsetAccept
from .accept import LanguageAccept as LanguageAccept
from .accept import MIMEAccept as MIMEAccept
from .auth import Authorization as Authorization
from .auth import WWWAuthenticate as WWWAuthenticate
from .cache_control import RequestCacheControl as RequestCacheControl
from .cache_control import ResponseCacheControl as ResponseCacheControl
from .cache_control import _CacheControl as _CacheControl
from .file_storage import FileStorage as FileStorage
from .headers import EnvironHeaders as EnvironHeaders
from .headers import Headers as Headers
from .range import ContentRange as ContentRange
from .range import ETags as ETags
from .range import IfRange as IfRange
from .range import Range as Range
from .sets import HeaderSet as HeaderSet
from .structures import CallbackDict as CallbackDict
from .structures import CombinedMultiDict as CombinedMultiDict
from .structures import ImmutableDict as ImmutableDict
from .structures import ImmutableList as ImmutableList
from .structures import ImmutableMultiDict as ImmutableMultiDict
from .structures import MultiDict as MultiDict
from .structures import iter_multi_items as iter_multi_items

# The public names; the API reference (mkdocstrings) documents an imported name only when
# ``__all__`` lists it.
__all__ = [
    "Accept",
    "Authorization",
    "CallbackDict",
    "CharsetAccept",
    "CombinedMultiDict",
    "ContentRange",
    "ETags",
    "EnvironHeaders",
    "FileStorage",
    "HeaderSet",
    "Headers",
    "IfRange",
    "ImmutableDict",
    "ImmutableList",
    "ImmutableMultiDict",
    "LanguageAccept",
    "MIMEAccept",
    "MultiDict",
    "Range",
    "RequestCacheControl",
    "ResponseCacheControl",
    "WWWAuthenticate",
    "iter_multi_items",
]
