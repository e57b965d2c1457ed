// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ConsentRegistry — enterprises' authorisations to use their non-public data (seeds R4).
/// @notice An enterprise (role ENTERPRISE) signs an EIP-712 `Grant`: bank `bank` (role BANK) may
///         use the data categories in `categories` about `subject` (the enterprise's pseudonym)
///         for `purpose` from `notBefore` until `expiresAt`. Anyone may submit the signed grant
///         (the bank, the operator, the enterprise). The enterprise revokes with a signed
///         `Revoke`, or directly from its own account; revocation is final and needs no role, so
///         a suspended or exited enterprise can still withdraw its consent. The access gate asks
///         `isValid` (or reads `consent` and decides off chain) before every read.
/// @dev EIP-712 (https://eips.ethereum.org/EIPS/eip-712): domain {name "credtrace ConsentRegistry",
///      version "1", chainId, verifyingContract}; the domain is also published per EIP-5267.
///      The consent id is the EIP-712 digest the enterprise signed,
///      keccak256(0x1901 || domainSeparator || hashStruct(grant)): unique across chains and
///      deployments, and `ecrecover(consentId, signature)` is the enterprise, so the id and the
///      signature in `ConsentGranted` prove the authorisation with nothing else.
///      Nonces are unordered (any unused uint256) and shared by an enterprise's grants and
///      revocations: each nonce signs at most one message. No immutables: deployed code must
///      equal the artifact, hence `registry` is ordinary storage set once in the constructor.
contract ConsentRegistry {
    struct Grant {
        address enterprise;
        address bank;
        bytes32 subject;
        uint256 categories;
        bytes32 purpose;
        uint64 notBefore;
        uint64 expiresAt;
        uint256 nonce;
    }

    struct Consent {
        Grant grant;
        uint64 grantedAt;
        uint64 revokedAt; // 0 while in force
    }

    /// Data categories, one bit each: tax, social security, electricity, water, gas, customs,
    /// intellectual property, market supervision, courts.
    uint256 public constant ALL_CATEGORIES = (1 << 9) - 1;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant GRANT_TYPEHASH = keccak256(
        "Grant(address enterprise,address bank,bytes32 subject,uint256 categories,bytes32 purpose,"
        "uint64 notBefore,uint64 expiresAt,uint256 nonce)"
    );
    bytes32 private constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 consentId,uint256 nonce)");
    bytes32 private constant NAME_HASH = keccak256("credtrace ConsentRegistry");
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// secp256k1 n / 2: a larger s is the malleable twin of a valid signature (EIP-2).
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    ParticipantRegistry public registry;
    mapping(bytes32 => Consent) private _consents;
    mapping(address => mapping(uint256 => bool)) public nonceUsed;

    error MissingRole(address account, ParticipantRegistry.Role role);
    error BadSignature(address expected, address recovered);
    error BadSignatureLength(uint256 length);
    error BadSignatureV(uint8 v);
    error MalleableSignature(bytes32 s);
    error NonceUsed(address enterprise, uint256 nonce);
    error EmptySubject();
    error EmptyPurpose();
    error NoCategories();
    error UnknownCategories(uint256 categories);
    error ExpiryNotInFuture(uint64 expiresAt, uint256 now);
    error EmptyWindow(uint64 notBefore, uint64 expiresAt);
    error UnknownConsent(bytes32 consentId);
    error AlreadyRevoked(bytes32 consentId, uint64 revokedAt);
    error NotConsentEnterprise(address account, address enterprise);
    error SubjectNotEnterprise(bytes32 subject, bytes32 enterpriseOrgId);

    event ConsentGranted(
        bytes32 indexed consentId,
        address indexed enterprise,
        address indexed bank,
        bytes32 subject,
        uint256 categories,
        bytes32 purpose,
        uint64 notBefore,
        uint64 expiresAt,
        uint256 nonce,
        bytes signature,
        address by
    );
    event ConsentRevoked(bytes32 indexed consentId, address indexed enterprise, bytes signature, address by);
    event NonceConsumed(address indexed enterprise, uint256 nonce);

    constructor(ParticipantRegistry registry_) {
        registry = registry_;
    }

    // ---- writes --------------------------------------------------------------------

    /// @notice Record a grant signed by `g.enterprise`; returns its consent id.
    function grant(Grant calldata g, bytes calldata signature) external returns (bytes32 consentId) {
        _checkTerms(g);
        if (!registry.hasRole(g.enterprise, ParticipantRegistry.Role.ENTERPRISE)) {
            revert MissingRole(g.enterprise, ParticipantRegistry.Role.ENTERPRISE);
        }
        if (!registry.hasRole(g.bank, ParticipantRegistry.Role.BANK)) {
            revert MissingRole(g.bank, ParticipantRegistry.Role.BANK);
        }
        // An enterprise's org id in the registry is its pseudonym: it may consent for its own data only.
        bytes32 own = registry.participant(g.enterprise).orgId;
        if (g.subject != own) revert SubjectNotEnterprise(g.subject, own);
        consentId = digest(g);
        _requireSigner(consentId, signature, g.enterprise);
        _useNonce(g.enterprise, g.nonce);
        _consents[consentId] = Consent(g, uint64(block.timestamp), 0);
        emit ConsentGranted(
            consentId, g.enterprise, g.bank, g.subject, g.categories, g.purpose, g.notBefore, g.expiresAt,
            g.nonce, signature, msg.sender
        );
    }

    /// @notice The enterprise revokes its consent from its own account.
    function revoke(bytes32 consentId) external {
        address enterprise = _revocable(consentId);
        if (msg.sender != enterprise) revert NotConsentEnterprise(msg.sender, enterprise);
        _revoke(consentId, enterprise, "");
    }

    /// @notice Anyone submits the enterprise's signed `Revoke(consentId, nonce)`.
    function revokeSigned(bytes32 consentId, uint256 nonce, bytes calldata signature) external {
        address enterprise = _revocable(consentId);
        _requireSigner(revokeDigest(consentId, nonce), signature, enterprise);
        _useNonce(enterprise, nonce);
        _revoke(consentId, enterprise, signature);
    }

    // ---- reads ---------------------------------------------------------------------

    function consent(bytes32 consentId) external view returns (Consent memory) {
        Consent storage c = _consents[consentId];
        if (c.grantedAt == 0) revert UnknownConsent(consentId);
        return c;
    }

    /// @notice True when consent `consentId` exists, is not revoked, is in force now
    ///         (notBefore <= block.timestamp < expiresAt), was granted to `bank`, covers every
    ///         bit of `categories` (non-zero) and is for `purpose`. It does not ask whether the
    ///         bank or the enterprise are still active participants: ask the registry.
    function isValid(bytes32 consentId, address bank, uint256 categories, bytes32 purpose)
        external
        view
        returns (bool)
    {
        Consent storage c = _consents[consentId];
        Grant storage g = c.grant;
        return c.grantedAt != 0 && c.revokedAt == 0 && g.notBefore <= block.timestamp
            && block.timestamp < g.expiresAt && g.bank == bank && categories != 0
            && g.categories & categories == categories && g.purpose == purpose;
    }

    /// @notice EIP-712 digest of `g` under this contract's domain: what the enterprise signs,
    ///         and the consent id.
    function digest(Grant calldata g) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                GRANT_TYPEHASH, g.enterprise, g.bank, g.subject, g.categories, g.purpose, g.notBefore,
                g.expiresAt, g.nonce
            )
        );
        return _typedDigest(structHash);
    }

    /// @notice EIP-712 digest of `Revoke(consentId, nonce)` under this contract's domain.
    function revokeDigest(bytes32 consentId, uint256 nonce) public view returns (bytes32) {
        return _typedDigest(keccak256(abi.encode(REVOKE_TYPEHASH, consentId, nonce)));
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @notice EIP-5267: the EIP-712 domain, for wallets and other clients.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", "credtrace ConsentRegistry", "1", block.chainid, address(this), bytes32(0), extensions);
    }

    // ---- internals -----------------------------------------------------------------

    function _checkTerms(Grant calldata g) private view {
        if (g.subject == bytes32(0)) revert EmptySubject();
        if (g.purpose == bytes32(0)) revert EmptyPurpose();
        if (g.categories == 0) revert NoCategories();
        if (g.categories & ~ALL_CATEGORIES != 0) revert UnknownCategories(g.categories);
        if (g.expiresAt <= block.timestamp) revert ExpiryNotInFuture(g.expiresAt, block.timestamp);
        if (g.notBefore >= g.expiresAt) revert EmptyWindow(g.notBefore, g.expiresAt);
    }

    function _revocable(bytes32 consentId) private view returns (address enterprise) {
        Consent storage c = _consents[consentId];
        if (c.grantedAt == 0) revert UnknownConsent(consentId);
        if (c.revokedAt != 0) revert AlreadyRevoked(consentId, c.revokedAt);
        return c.grant.enterprise;
    }

    function _revoke(bytes32 consentId, address enterprise, bytes memory signature) private {
        _consents[consentId].revokedAt = uint64(block.timestamp);
        emit ConsentRevoked(consentId, enterprise, signature, msg.sender);
    }

    function _useNonce(address enterprise, uint256 nonce) private {
        if (nonceUsed[enterprise][nonce]) revert NonceUsed(enterprise, nonce);
        nonceUsed[enterprise][nonce] = true;
        emit NonceConsumed(enterprise, nonce);
    }

    function _typedDigest(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    /// @dev A 65-byte r || s || v signature with v in {27, 28} and s in the lower half order
    ///      (EIP-2), recovering to `expected`.
    function _requireSigner(bytes32 hash, bytes calldata signature, address expected) private pure {
        if (signature.length != 65) revert BadSignatureLength(signature.length);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v != 27 && v != 28) revert BadSignatureV(v);
        if (uint256(s) > HALF_N) revert MalleableSignature(s);
        address recovered = ecrecover(hash, v, r, s);
        if (recovered == address(0) || recovered != expected) revert BadSignature(expected, recovered);
    }
}
