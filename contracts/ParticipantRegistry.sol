// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ParticipantRegistry — who may act on the credtrace ledger.
/// @notice Every participant has one role, an organisation id, an Ed25519 public key
///         (for records it signs off-chain) and a status. An account is registered once and
///         holds one role for good: nobody re-roles it. The operator registers participants
///         and lets banks join and exit (seeds R8); a regulator may suspend and reinstate
///         anyone but an operator; only the owner adds, suspends, reinstates or exits
///         operators; ownership moves only in two steps, to an active operator.
///
///         Separation of duties (issue 12): the operator never appoints those who check it.
///         Genesis — the constructor, which nobody can run again — registers the first
///         regulator(s), whom the consortium sees in the deployment's own events. After it,
///         a regulator or auditor is appointed only by the active regulators: one proposes
///         (account, role, org id, key), others approve, and the appointment is enacted by
///         the approval that makes the approvers a strict majority of the regulators active
///         at that moment (k = floor(n/2) + 1). A majority, not a stored threshold: it needs
///         no procedure of its own to change, follows the committee as it grows or shrinks,
///         and two disjoint groups of regulators can never both carry a decision. Approvals
///         are recounted at every approval and only those of still-active regulators count,
///         so a regulator suspended or exited after approving no longer carries a proposal.
///         The platform is never left without its owner or without an active regulator:
///         the owner cannot leave or be suspended, nor the last active regulator. Every
///         change emits an event, so the registry can be rebuilt from logs alone.
/// @dev Other contracts ask `hasRole(account, role)`; the devnet's admission asks
///      `isActive(account)`. No immutables: deployed code must equal the artifact.
contract ParticipantRegistry {
    enum Role { NONE, OPERATOR, PROVIDER, ENTERPRISE, BANK, ORACLE, AUDITOR, REGULATOR }
    enum Status { NONE, ACTIVE, SUSPENDED, EXITED }

    /// @notice A regulator or auditor to appoint: at genesis, or through a proposal.
    struct Appointee {
        address account;
        Role role;
        bytes32 orgId;
        bytes32 signingKey;
    }

    struct Proposal {
        Appointee appointee;
        address proposer;
        bool enacted;
    }

    struct Participant {
        Role role;
        Status status;
        uint64 registeredAt;
        bytes32 orgId;
        bytes32 signingKey;
    }

    address public owner;
    address public pendingOwner;
    uint256 public activeRegulators;
    mapping(address => Participant) private _participants;
    mapping(bytes32 => address) private _enterpriseOf; // org id (pseudonym) → the account that holds it
    address[] private _accounts;
    Proposal[] private _proposals;
    mapping(uint256 => address[]) private _approvers; // proposal id → every regulator that approved it

    error NotAuthorized(address account, Role role);
    error NotOwner(address account);
    error NotPendingOwner(address account);
    error ZeroAddress();
    error InvalidRole(Role role);
    error EmptyOrgId();
    error EmptySigningKey();
    error AlreadyRegistered(address account);
    error NotRegistered(address account);
    error InvalidTransition(address account, Status from, Status to);
    error OwnerMustStay(address owner);
    error LastActiveRegulator(address account);
    error OrgIdTaken(bytes32 orgId, address holder);
    error AppointedByRegulators(Role role);
    error NoGenesisRegulator();
    error UnknownProposal(uint256 id);
    error ProposalEnacted(uint256 id);
    error AlreadyApproved(uint256 id, address regulator);

    event ParticipantRegistered(
        address indexed account, Role indexed role, bytes32 orgId, bytes32 signingKey, address by
    );
    event StatusChanged(address indexed account, Status from, Status to, bytes32 reason, address by);
    event SigningKeyRotated(address indexed account, bytes32 previousKey, bytes32 newKey);
    event AppointmentProposed(
        uint256 indexed id, address indexed account, Role role, bytes32 orgId, bytes32 signingKey, address by
    );
    event AppointmentApproved(uint256 indexed id, address indexed by, uint256 approvals, uint256 needed);
    event AppointmentEnacted(uint256 indexed id, address indexed account);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyRole(Role role) {
        if (!hasRole(msg.sender, role)) revert NotAuthorized(msg.sender, role);
        _;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param orgId the operator's organisation id
    /// @param signingKey the operator's Ed25519 public key
    /// @param regulators genesis: the first regulators (at least one; each a REGULATOR, none the
    ///        operator's own account). Only here does the deployer name a regulator.
    constructor(bytes32 orgId, bytes32 signingKey, Appointee[] memory regulators) {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        _register(msg.sender, Role.OPERATOR, orgId, signingKey);
        if (regulators.length == 0) revert NoGenesisRegulator();
        for (uint256 i = 0; i < regulators.length; i++) {
            Appointee memory r = regulators[i];
            if (r.role != Role.REGULATOR) revert InvalidRole(r.role);
            _register(r.account, r.role, r.orgId, r.signingKey);
        }
    }

    // ---- queries -------------------------------------------------------------------

    /// @notice True when `account` is registered with `role` and active.
    function hasRole(address account, Role role) public view returns (bool) {
        Participant storage p = _participants[account];
        return role != Role.NONE && p.role == role && p.status == Status.ACTIVE;
    }

    /// @notice True when `account` is registered (any role) and active.
    function isActive(address account) external view returns (bool) {
        return _participants[account].status == Status.ACTIVE;
    }

    /// @notice True when the chain should mine `account`'s transactions (the devnet's admission asks):
    ///         while active, and for a bank that has exited, so it can run off its loans — repay,
    ///         default, claim, close (seeds R8) — which the contracts still allow it; they refuse it
    ///         anything new, as they ask `hasRole`.
    function mayTransact(address account) external view returns (bool) {
        Participant storage p = _participants[account];
        return p.status == Status.ACTIVE || (p.status == Status.EXITED && p.role == Role.BANK);
    }

    function participant(address account) external view returns (Participant memory) {
        if (_participants[account].status == Status.NONE) revert NotRegistered(account);
        return _participants[account];
    }

    function participantCount() external view returns (uint256) {
        return _accounts.length;
    }

    function participantAt(uint256 index) external view returns (address) {
        return _accounts[index];
    }

    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    function proposal(uint256 id) external view returns (Proposal memory) {
        if (id >= _proposals.length) revert UnknownProposal(id);
        return _proposals[id];
    }

    /// @notice The approvals of proposal `id` that count now: those of still-active regulators.
    function approvals(uint256 id) public view returns (uint256 count) {
        address[] storage approvers = _approvers[id];
        for (uint256 i = 0; i < approvers.length; i++) {
            if (hasRole(approvers[i], Role.REGULATOR)) count += 1;
        }
    }

    /// @notice How many approvals enact a proposal now: a strict majority of the active regulators.
    function approvalsNeeded() public view returns (uint256) {
        return activeRegulators / 2 + 1;
    }

    // ---- the operator: registration, bank entry and exit (R8) ----------------------

    /// @notice Register a participant. Only the owner may add another operator; regulators and
    ///         auditors are the regulators' to appoint (`proposeAppointment`), never the operator's.
    function register(address account, Role role, bytes32 orgId, bytes32 signingKey)
        external
        onlyRole(Role.OPERATOR)
    {
        if (role == Role.REGULATOR || role == Role.AUDITOR) revert AppointedByRegulators(role);
        if (role == Role.OPERATOR && msg.sender != owner) revert NotOwner(msg.sender);
        _register(account, role, orgId, signingKey);
    }

    // ---- the regulators: appointing regulators and auditors, by majority ------------

    /// @notice An active regulator proposes a regulator or auditor; its own approval counts,
    ///         so with a single active regulator the appointment is enacted at once.
    function proposeAppointment(address account, Role role, bytes32 orgId, bytes32 signingKey)
        external
        onlyRole(Role.REGULATOR)
        returns (uint256 id)
    {
        if (role != Role.REGULATOR && role != Role.AUDITOR) revert InvalidRole(role);
        _checkRegistrable(account, role, orgId, signingKey);
        id = _proposals.length;
        _proposals.push(Proposal(Appointee(account, role, orgId, signingKey), msg.sender, false));
        emit AppointmentProposed(id, account, role, orgId, signingKey, msg.sender);
        _approve(id);
    }

    /// @notice An active regulator approves proposal `id`; the approval that makes a strict
    ///         majority of the active regulators enacts it (the appointee is registered).
    function approveAppointment(uint256 id) external onlyRole(Role.REGULATOR) {
        if (id >= _proposals.length) revert UnknownProposal(id);
        if (_proposals[id].enacted) revert ProposalEnacted(id);
        address[] storage approvers = _approvers[id];
        for (uint256 i = 0; i < approvers.length; i++) {
            if (approvers[i] == msg.sender) revert AlreadyApproved(id, msg.sender);
        }
        _approve(id);
    }

    /// @notice A participant leaves for good. It may do so itself; the operator may exit a
    ///         bank (seeds R8), and only the owner an operator. An exited account never returns.
    function exit(address account, bytes32 reason) external {
        Participant storage p = _participants[account];
        if (p.status == Status.NONE) revert NotRegistered(account);
        if (msg.sender != account) _mayAct(p.role, Role.OPERATOR, Role.BANK);
        if (p.status == Status.EXITED) revert InvalidTransition(account, p.status, Status.EXITED);
        _setStatus(account, Status.EXITED, reason);
    }

    // ---- the regulator: suspension ---------------------------------------------------

    function suspend(address account, bytes32 reason) external {
        _mayAct(_participants[account].role, Role.REGULATOR, Role.NONE);
        _transition(account, Status.ACTIVE, Status.SUSPENDED, reason);
    }

    function reinstate(address account, bytes32 reason) external {
        _mayAct(_participants[account].role, Role.REGULATOR, Role.NONE);
        _transition(account, Status.SUSPENDED, Status.ACTIVE, reason);
    }

    // ---- the participant: key rotation (R7 key revocation) ------------------------

    function rotateSigningKey(bytes32 newKey) external {
        Participant storage p = _participants[msg.sender];
        if (p.status != Status.ACTIVE) revert NotAuthorized(msg.sender, p.role);
        if (newKey == bytes32(0)) revert EmptySigningKey();
        emit SigningKeyRotated(msg.sender, p.signingKey, newKey);
        p.signingKey = newKey;
    }

    // ---- ownership, in two steps ---------------------------------------------------

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        if (!hasRole(newOwner, Role.OPERATOR)) revert NotAuthorized(newOwner, Role.OPERATOR);
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner(msg.sender);
        if (!hasRole(msg.sender, Role.OPERATOR)) revert NotAuthorized(msg.sender, Role.OPERATOR);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    // ---- internals -----------------------------------------------------------------

    function _approve(uint256 id) private {
        _approvers[id].push(msg.sender);
        uint256 count = approvals(id);
        uint256 needed = approvalsNeeded();
        emit AppointmentApproved(id, msg.sender, count, needed);
        if (count < needed) return;
        Proposal storage p = _proposals[id];
        p.enacted = true;
        _register(p.appointee.account, p.appointee.role, p.appointee.orgId, p.appointee.signingKey);
        emit AppointmentEnacted(id, p.appointee.account);
    }

    function _checkRegistrable(address account, Role role, bytes32 orgId, bytes32 signingKey) private view {
        if (account == address(0)) revert ZeroAddress();
        if (role == Role.NONE) revert InvalidRole(role);
        if (orgId == bytes32(0)) revert EmptyOrgId();
        if (signingKey == bytes32(0)) revert EmptySigningKey();
        if (_participants[account].status != Status.NONE) revert AlreadyRegistered(account);
    }

    function _register(address account, Role role, bytes32 orgId, bytes32 signingKey) private {
        _checkRegistrable(account, role, orgId, signingKey);
        if (role == Role.ENTERPRISE) _claimOrgId(orgId, account);
        _participants[account] = Participant(role, Status.ACTIVE, uint64(block.timestamp), orgId, signingKey);
        if (role == Role.REGULATOR) activeRegulators += 1;
        _accounts.push(account);
        emit ParticipantRegistered(account, role, orgId, signingKey, msg.sender);
    }

    /// @dev One active (or suspended) account per enterprise: a second one carrying the same
    ///      pseudonym could grant consent over the first one's data. A holder that exited frees it.
    function _claimOrgId(bytes32 orgId, address account) private {
        address holder = _enterpriseOf[orgId];
        if (holder != address(0) && _participants[holder].status != Status.EXITED) revert OrgIdTaken(orgId, holder);
        _enterpriseOf[orgId] = account;
    }

    function _transition(address account, Status from, Status to, bytes32 reason) private {
        Status current = _participants[account].status;
        if (current == Status.NONE) revert NotRegistered(account);
        if (current != from) revert InvalidTransition(account, current, to);
        _setStatus(account, to, reason);
    }

    /// @dev Acting on a participant of `targetRole`: an operator's status is the owner's alone;
    ///      any other's needs `actor` (and, unless `only` is NONE, a target of role `only`).
    function _mayAct(Role targetRole, Role actor, Role only) private view {
        if (targetRole == Role.OPERATOR) {
            if (msg.sender != owner) revert NotOwner(msg.sender);
            return;
        }
        if (!hasRole(msg.sender, actor) || (only != Role.NONE && targetRole != only)) {
            revert NotAuthorized(msg.sender, actor);
        }
    }

    function _setStatus(address account, Status to, bytes32 reason) private {
        Participant storage p = _participants[account];
        if (account == owner) revert OwnerMustStay(account);
        if (p.role == Role.REGULATOR) _countRegulators(account, p.status, to);
        emit StatusChanged(account, p.status, to, reason, msg.sender);
        p.status = to;
    }

    function _countRegulators(address account, Status from, Status to) private {
        if (from == Status.ACTIVE) {
            if (activeRegulators == 1) revert LastActiveRegulator(account);
            activeRegulators -= 1;
        } else if (to == Status.ACTIVE) {
            activeRegulators += 1;
        }
    }
}
