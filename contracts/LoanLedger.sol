// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";
import {ConsentRegistry} from "./ConsentRegistry.sol";
import {SanctionsList} from "./SanctionsList.sol";
import {ModelRegistry} from "./ModelRegistry.sol";
import {LossSharing} from "./LossSharing.sol";

/// @title LoanLedger — applications, oracle decisions, loans and their clearing (seeds R2 数据、资金、项目、清偿).
/// @notice A bank applies for a decision on an enterprise (by pseudonym) under a consent the enterprise
///         gave it; oracles decide (final once `quorum()` distinct oracles submit the same signed
///         record); the bank disburses, records repayments, overdue and default, claims compensation
///         from the pools under the policy in force at disbursement, records recoveries (shared back to
///         the pools) and write-offs, and closes. The state machine, with the operation that moves it:
///
///         APPLIED --decide--> APPROVED | DECLINED
///         APPLIED --close--> CLOSED (withdrawn)     APPROVED --close--> CLOSED (never disbursed)
///         APPROVED --disburse--> DISBURSED
///         DISBURSED --repay (to zero)--> REPAID     DISBURSED <--markOverdue(0) / markOverdue(d>0)--> OVERDUE
///         OVERDUE --repay (to zero)--> REPAID       OVERDUE --markDefault--> DEFAULTED
///         DEFAULTED --claimCompensation--> COMPENSATED
///         DEFAULTED, COMPENSATED --writeOff--> WRITTEN_OFF     (recover stays in place)
///         REPAID, WRITTEN_OFF, and DEFAULTED/COMPENSATED with nothing outstanding --close--> CLOSED
///
///         Any other move reverts IllegalTransition(applicationId, status, selector). An exited or
///         suspended bank can no longer apply or disburse; its loans still repay, default, claim and close.
/// @dev No immutables (deployed code must equal the artifact). `apply` is a reserved word in Solidity,
///      hence `applyFor`.
contract LoanLedger is LossSharing {
    enum Status {
        NONE, APPLIED, DECLINED, APPROVED, DISBURSED, OVERDUE, DEFAULTED, COMPENSATED, REPAID, WRITTEN_OFF, CLOSED
    }

    struct Application {
        address bank;
        bytes32 subject;
        bytes32 consentId;
        uint256 amount;
        uint16 termMonths;
        bytes32 productId;
    }

    /// What an oracle submits; `recordHash` is the SHA-256 of the signed decision record. Ordered so
    /// the flag and the small numbers share one storage slot.
    struct Decision {
        uint256 applicationId;
        uint256 limit;
        bytes32 modelId;
        bytes32 recordHash;
        bool approve;
        uint32 rateBps;
        uint32 pdPpm;
        uint32 score;
    }

    struct Loan {
        Status status;
        uint32 district;
        uint32 policyVersion;
        uint32 daysPastDue;
        uint64 validUntil; // last second an approval may be disbursed
        uint64 defaultedAt;
        uint256 principal;
        uint256 outstanding;
        uint256 repaidPrincipal;
        uint256 interestPaid;
        uint256 recovered;
        uint256 writtenOff;
    }

    ConsentRegistry public consents;
    SanctionsList public sanctions;
    ModelRegistry public models;

    uint256 public applicationCount;
    mapping(uint256 => Application) private _applications;
    mapping(uint256 => Loan) private _loans;
    mapping(uint256 => Decision) private _decisions; // the final one
    mapping(uint256 => Claim) private _claims;
    mapping(uint256 => mapping(bytes32 => bytes32)) private _proposals; // keccak of a record's first terms
    mapping(uint256 => mapping(bytes32 => uint256)) public votes;
    mapping(uint256 => mapping(address => bytes32)) public voted; // oracle's record, 0 if none

    error UnknownApplication(uint256 applicationId);
    error NotApplicationBank(uint256 applicationId, address account);
    error IllegalTransition(uint256 applicationId, Status status, bytes4 operation);
    error ConsentNotValid(bytes32 consentId, address bank, bytes32 subject);
    error ZeroTerm();
    error ModelNotServable(bytes32 modelId);
    error SanctionedSubject(uint256 applicationId, bytes32 subject);
    error EmptyRecordHash();
    error LimitOutOfRange(uint256 applicationId, uint256 limit, uint256 amount);
    error AlreadyVoted(uint256 applicationId, address oracle, bytes32 recordHash);
    error DecisionMismatch(uint256 applicationId, bytes32 recordHash);
    error ApprovalExpired(uint256 applicationId, uint64 validUntil);
    error OverLimit(uint256 applicationId, uint256 amount, uint256 limit);
    error OverOutstanding(uint256 applicationId, uint256 amount, uint256 outstanding);
    error InvalidDistrict(uint32 district);
    error ZeroDaysPastDue(uint256 applicationId);
    error ClaimWindowClosed(uint256 applicationId, uint256 deadline);

    event Applied(
        uint256 indexed applicationId, address indexed bank, bytes32 indexed subject, bytes32 consentId,
        uint256 amount, uint16 termMonths, bytes32 productId
    );
    event DecisionSubmitted(uint256 indexed applicationId, address indexed oracle, bytes32 recordHash, uint256 votes);
    event Decided(
        uint256 indexed applicationId, bool approved, uint256 limit, uint32 rateBps, uint32 pdPpm, uint32 score,
        bytes32 modelId, bytes32 recordHash, uint64 validUntil
    );
    event Disbursed(uint256 indexed applicationId, address indexed bank, uint256 amount, uint32 district,
        uint32 policyVersion);
    event Repaid(uint256 indexed applicationId, uint256 principal, uint256 interest, uint256 outstanding);
    event Subsidised(uint256 indexed applicationId, uint32 indexed district, uint256 amount, uint256 shortfall);
    event MarkedOverdue(uint256 indexed applicationId, uint32 daysPastDue);
    event Defaulted(uint256 indexed applicationId, uint32 daysPastDue, uint256 outstanding);
    event Compensated(
        uint256 indexed applicationId, uint32 district, uint256 loss, uint256 municipalPaid, uint256 districtPaid,
        uint256 municipalShortfall, uint256 districtShortfall
    );
    event Recovered(uint256 indexed applicationId, uint256 amount, uint256 municipalReturned,
        uint256 districtReturned, uint256 outstanding);
    event WrittenOff(uint256 indexed applicationId, uint256 amount);
    event StatusChanged(uint256 indexed applicationId, Status from, Status to);

    constructor(ParticipantRegistry registry_, ConsentRegistry consents_, SanctionsList sanctions_,
        ModelRegistry models_) {
        registry = registry_;
        consents = consents_;
        sanctions = sanctions_;
        models = models_;
    }

    // ---- the bank asks, the oracles decide ---------------------------------------------

    function applyFor(bytes32 subject, bytes32 consentId, uint256 amount, uint16 termMonths, bytes32 productId)
        external
        only(ParticipantRegistry.Role.BANK)
        returns (uint256 applicationId)
    {
        if (amount == 0) revert ZeroAmount();
        if (termMonths == 0) revert ZeroTerm();
        _checkConsent(consentId, subject);
        applicationId = ++applicationCount;
        _applications[applicationId] = Application(msg.sender, subject, consentId, amount, termMonths, productId);
        emit Applied(applicationId, msg.sender, subject, consentId, amount, termMonths, productId);
        _move(applicationId, _loans[applicationId], Status.APPLIED);
    }

    function decide(Decision calldata d) external only(ParticipantRegistry.Role.ORACLE) {
        _decide(d);
    }

    /// @notice Many decisions in one transaction; all or none (a failing one reverts the batch).
    function decideBatch(Decision[] calldata ds) external only(ParticipantRegistry.Role.ORACLE) {
        for (uint256 i = 0; i < ds.length; i++) _decide(ds[i]);
    }

    // ---- the loan, as the applying bank reports it ---------------------------------------

    function disburse(uint256 id, uint256 amount, uint32 district) external only(ParticipantRegistry.Role.BANK) {
        Loan storage l = _banks(id, Status.APPROVED);
        if (block.timestamp > l.validUntil) revert ApprovalExpired(id, l.validUntil);
        if (amount == 0) revert ZeroAmount();
        if (amount > _decisions[id].limit) revert OverLimit(id, amount, _decisions[id].limit);
        if (district == MUNICIPAL) revert InvalidDistrict(district);
        if (policyVersion() == 0) revert NoPolicy();
        (l.principal, l.outstanding, l.district, l.policyVersion) = (amount, amount, district, policyVersion());
        emit Disbursed(id, msg.sender, amount, district, l.policyVersion);
        _move(id, l, Status.DISBURSED);
    }

    function repay(uint256 id, uint256 principal, uint256 interest) external {
        Loan storage l = _performing(id);
        if (principal + interest == 0) revert ZeroAmount();
        if (principal > l.outstanding) revert OverOutstanding(id, principal, l.outstanding);
        l.outstanding -= principal;
        l.repaidPrincipal += principal;
        l.interestPaid += interest;
        emit Repaid(id, principal, interest, l.outstanding);
        if (interest > 0) _subsidy(id, l, interest);
        if (l.outstanding == 0) _move(id, l, Status.REPAID);
    }

    /// @notice Days past due as the bank reckons them; 0 cures an overdue loan.
    function markOverdue(uint256 id, uint32 daysPastDue) external {
        Loan storage l = _performing(id);
        if (daysPastDue == 0 && l.status != Status.OVERDUE) revert IllegalTransition(id, l.status, msg.sig);
        l.daysPastDue = daysPastDue;
        emit MarkedOverdue(id, daysPastDue);
        _move(id, l, daysPastDue == 0 ? Status.DISBURSED : Status.OVERDUE);
    }

    function markDefault(uint256 id, uint32 daysPastDue) external {
        Loan storage l = _banks(id, Status.OVERDUE);
        if (daysPastDue == 0) revert ZeroDaysPastDue(id);
        (l.daysPastDue, l.defaultedAt) = (daysPastDue, uint64(block.timestamp));
        emit Defaulted(id, daysPastDue, l.outstanding);
        _move(id, l, Status.DEFAULTED);
    }

    /// @notice The government's shares of the outstanding principal, under the policy the loan was
    ///         disbursed under, paid from the municipal and the loan's district pool.
    function claimCompensation(uint256 id) external {
        Loan storage l = _banks(id, Status.DEFAULTED);
        Policy memory p = policy(l.policyVersion);
        uint256 deadline = uint256(l.defaultedAt) + p.claimWindow;
        if (block.timestamp > deadline) revert ClaimWindowClosed(id, deadline);
        Claim storage c = _claims[id];
        c.loss = l.outstanding;
        _compensate(c, p, l.district, msg.sender);
        emit Compensated(id, l.district, c.loss, c.municipalPaid, c.districtPaid,
            c.municipalDue - c.municipalPaid, c.districtDue - c.districtPaid);
        _move(id, l, Status.COMPENSATED);
    }

    function recover(uint256 id, uint256 amount) external {
        Loan storage l = _inDefault(id);
        if (amount == 0) revert ZeroAmount();
        if (amount > l.outstanding) revert OverOutstanding(id, amount, l.outstanding);
        l.outstanding -= amount;
        l.recovered += amount;
        (uint256 m, uint256 d) = (0, 0);
        if (l.status == Status.COMPENSATED) (m, d) = _shareBack(_claims[id], amount, l.district);
        emit Recovered(id, amount, m, d, l.outstanding);
    }

    function writeOff(uint256 id) external {
        Loan storage l = _inDefault(id);
        if (l.outstanding == 0) revert ZeroAmount();
        (l.writtenOff, l.outstanding) = (l.outstanding, 0);
        emit WrittenOff(id, l.writtenOff);
        _move(id, l, Status.WRITTEN_OFF);
    }

    function close(uint256 id) external {
        Loan storage l = _banks(id, Status.NONE);
        bool settled = l.status == Status.REPAID || l.status == Status.WRITTEN_OFF || l.status == Status.APPROVED
            || l.status == Status.APPLIED;  // withdrawn before a decision: a split quorum cannot hold it forever
        bool recovered = (l.status == Status.DEFAULTED || l.status == Status.COMPENSATED) && l.outstanding == 0;
        if (!settled && !recovered) revert IllegalTransition(id, l.status, msg.sig);
        _move(id, l, Status.CLOSED);
    }

    // ---- queries ---------------------------------------------------------------------------

    function application(uint256 id) external view returns (Application memory) {
        _known(id);
        return _applications[id];
    }

    function loan(uint256 id) external view returns (Loan memory) {
        _known(id);
        return _loans[id];
    }

    function decision(uint256 id) external view returns (Decision memory) {
        _known(id);
        return _decisions[id];
    }

    function claim(uint256 id) external view returns (Claim memory) {
        _known(id);
        return _claims[id];
    }

    function yearOf(uint256 t) external pure returns (uint256) {
        return _year(t);
    }

    // ---- rules -----------------------------------------------------------------------------

    /// @dev The consent must exist, name this subject and be valid for the applying bank now.
    function _checkConsent(bytes32 consentId, bytes32 subject) private view {
        try consents.consent(consentId) returns (ConsentRegistry.Consent memory c) {
            ConsentRegistry.Grant memory g = c.grant;
            if (g.subject == subject && consents.isValid(consentId, msg.sender, g.categories, g.purpose)) return;
        } catch {}
        revert ConsentNotValid(consentId, msg.sender, subject);
    }

    function _decide(Decision calldata d) private {
        uint256 id = d.applicationId;
        _at(id, Status.APPLIED);
        _checkDecision(d);
        if (voted[id][msg.sender] != 0) revert AlreadyVoted(id, msg.sender, voted[id][msg.sender]);
        voted[id][msg.sender] = d.recordHash;
        uint256 n = ++votes[id][d.recordHash];
        emit DecisionSubmitted(id, msg.sender, d.recordHash, n);
        if (n >= quorum()) _finalise(d);
        else _propose(d, n == 1);
    }

    function _checkDecision(Decision calldata d) private view {
        if (d.recordHash == bytes32(0)) revert EmptyRecordHash();
        if (!models.isServable(d.modelId)) revert ModelNotServable(d.modelId);
        Application storage a = _applications[d.applicationId];
        if (!d.approve) return;
        if (sanctions.isSanctioned(a.subject)) revert SanctionedSubject(d.applicationId, a.subject);
        if (d.limit == 0 || d.limit > a.amount) revert LimitOutOfRange(d.applicationId, d.limit, a.amount);
    }

    /// @dev The first submission of a record fixes its terms (their hash is kept while the decision
    ///      is pending); later ones, the final one included, must match them.
    function _propose(Decision calldata d, bool first) private {
        bytes32 terms = keccak256(abi.encode(d));
        if (first) _proposals[d.applicationId][d.recordHash] = terms;
        else if (_proposals[d.applicationId][d.recordHash] != terms) revert DecisionMismatch(d.applicationId, d.recordHash);
    }

    function _finalise(Decision calldata d) private {
        if (votes[d.applicationId][d.recordHash] > 1) _propose(d, false);
        Loan storage l = _loans[d.applicationId];
        _decisions[d.applicationId] = d;
        uint32 validity = policyVersion() == 0 ? 30 days : policy(policyVersion()).approvalValidity;
        l.validUntil = d.approve ? uint64(block.timestamp + validity) : 0;
        emit Decided(d.applicationId, d.approve, d.limit, d.rateBps, d.pdPpm, d.score, d.modelId, d.recordHash,
            l.validUntil);
        _move(d.applicationId, l, d.approve ? Status.APPROVED : Status.DECLINED);
    }

    function _subsidy(uint256 id, Loan storage l, uint256 interest) private {
        (uint256 paid, uint256 shortfall) = _subsidise(policy(l.policyVersion), l.district, interest);
        if (paid + shortfall > 0) emit Subsidised(id, l.district, paid, shortfall);
    }

    function _move(uint256 id, Loan storage l, Status to) private {
        emit StatusChanged(id, l.status, to);
        l.status = to;
    }

    function _known(uint256 id) private view {
        if (id == 0 || id > applicationCount) revert UnknownApplication(id);
    }

    /// @dev Loan `id` in `status`; IllegalTransition otherwise.
    function _at(uint256 id, Status status) private view returns (Loan storage l) {
        _known(id);
        l = _loans[id];
        if (l.status != status) revert IllegalTransition(id, l.status, msg.sig);
    }

    /// @dev Loan `id`, acted on by its own bank (active or not), in `status` (NONE: any).
    function _banks(uint256 id, Status status) private view returns (Loan storage l) {
        _known(id);
        if (_applications[id].bank != msg.sender) revert NotApplicationBank(id, msg.sender);
        l = _loans[id];
        if (status != Status.NONE && l.status != status) revert IllegalTransition(id, l.status, msg.sig);
    }

    function _performing(uint256 id) private view returns (Loan storage l) {
        l = _banks(id, Status.NONE);
        if (l.status != Status.DISBURSED && l.status != Status.OVERDUE) revert IllegalTransition(id, l.status, msg.sig);
    }

    function _inDefault(uint256 id) private view returns (Loan storage l) {
        l = _banks(id, Status.NONE);
        if (l.status != Status.DEFAULTED && l.status != Status.COMPENSATED) revert IllegalTransition(id, l.status, msg.sig);
    }
}
