// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title LossSharing — risk compensation pools and the government–bank loss-sharing policy (seeds R2, R8).
/// @notice A regulator sets versioned policies (shares in basis points for the municipal risk
///         compensation pool, the district and the bank; caps per loan and per bank per calendar
///         year; the claim window; the district's interest subsidy; the oracle quorum) and funds the
///         pools. Pool 0 is the municipal pool; any other pool id is a district's administrative
///         division code (GB/T 2260, e.g. 500103 for Yuzhong). Money is integer fen (0.01 CNY).
///         Every pool keeps deposits + returned = paid + balance; what a pool cannot pay is recorded
///         as its shortfall, never dropped.
/// @dev Inherited by LoanLedger, which owns the loans; the arithmetic here is pure of loan state.
abstract contract LossSharing {
    struct Policy {
        uint16 municipalBps;
        uint16 districtBps;
        uint16 bankBps;
        uint16 subsidyBps; // share of each interest payment the district pays (贴息)
        uint8 quorum; // k: distinct oracles that must submit the same decision record
        uint32 approvalValidity; // seconds an approval may be disbursed after the decision
        uint32 claimWindow; // seconds after a default within which compensation may be claimed
        uint256 loanCap; // most the government pays on one loan, fen
        uint256 bankYearCap; // most the government commits to one bank per calendar year, fen
    }

    struct Pool {
        uint256 deposits;
        uint256 paid; // compensations and subsidies
        uint256 returned; // recoveries shared back
        uint256 balance;
        uint256 shortfall; // owed but not paid for want of balance
    }

    /// What a claim commits and pays, per pool.
    struct Claim {
        uint256 loss;
        uint256 municipalDue;
        uint256 districtDue;
        uint256 municipalPaid;
        uint256 districtPaid;
        uint256 municipalReturned;
        uint256 districtReturned;
        uint256 recoveredAfter; // recoveries since the claim, the base of the shares returned
    }

    uint256 private constant WHOLE = 10_000;
    uint32 public constant MUNICIPAL = 0;

    ParticipantRegistry public registry;
    Policy[] private _policies; // version v is _policies[v - 1]
    mapping(uint32 => Pool) private _pools;
    mapping(address => mapping(uint256 => uint256)) public committed; // bank => year => fen

    error NotAuthorized(address account, ParticipantRegistry.Role role);
    error SharesNotWhole(uint256 sum);
    error ZeroQuorum();
    error ZeroWindow();
    error NoPolicy();
    error UnknownPolicy(uint32 version);
    error ZeroAmount();

    event PolicySet(uint32 indexed version, Policy policy, address by);
    event PoolFunded(uint32 indexed pool, uint256 amount, uint256 balance, address by);

    modifier only(ParticipantRegistry.Role role) {
        if (!registry.hasRole(msg.sender, role)) revert NotAuthorized(msg.sender, role);
        _;
    }

    function setPolicy(Policy calldata p) external only(ParticipantRegistry.Role.REGULATOR) {
        uint256 sum = uint256(p.municipalBps) + p.districtBps + p.bankBps;
        if (sum != WHOLE) revert SharesNotWhole(sum);
        if (p.subsidyBps > WHOLE) revert SharesNotWhole(p.subsidyBps);
        if (p.quorum == 0) revert ZeroQuorum();
        if (p.approvalValidity == 0 || p.claimWindow == 0) revert ZeroWindow();
        _policies.push(p);
        emit PolicySet(uint32(_policies.length), p, msg.sender);
    }

    function fund(uint32 poolId, uint256 amount) external only(ParticipantRegistry.Role.REGULATOR) {
        if (amount == 0) revert ZeroAmount();
        Pool storage p = _pools[poolId];
        p.deposits += amount;
        p.balance += amount;
        emit PoolFunded(poolId, amount, p.balance, msg.sender);
    }

    function policyVersion() public view returns (uint32) {
        return uint32(_policies.length);
    }

    function policy(uint32 version) public view returns (Policy memory) {
        if (version == 0 || version > _policies.length) revert UnknownPolicy(version);
        return _policies[version - 1];
    }

    function pool(uint32 id) external view returns (Pool memory) {
        return _pools[id];
    }

    /// @notice The oracle quorum in force: the current policy's, 1 before any policy.
    function quorum() public view returns (uint8) {
        return _policies.length == 0 ? 1 : _policies[_policies.length - 1].quorum;
    }

    /// @dev The government's shares of `loss` under `p`, capped per loan and by what is left of the
    ///      bank's yearly cap, split between the pools in the policy's proportions; then paid as far
    ///      as each pool's balance goes, the rest recorded as shortfall.
    function _compensate(Claim storage c, Policy memory p, uint32 district, address bank) internal {
        (c.municipalDue, c.districtDue) = _dues(c.loss, p, bank);
        committed[bank][_year(block.timestamp)] += c.municipalDue + c.districtDue;
        c.municipalPaid = _draw(_pools[MUNICIPAL], c.municipalDue);
        c.districtPaid = _draw(_pools[district], c.districtDue);
    }

    function _dues(uint256 loss, Policy memory p, address bank) private view returns (uint256 m, uint256 d) {
        m = loss * p.municipalBps / WHOLE;
        d = loss * p.districtBps / WHOLE;
        uint256 used = committed[bank][_year(block.timestamp)];
        uint256 left = p.bankYearCap > used ? p.bankYearCap - used : 0;
        uint256 allowed = _min(_min(m + d, p.loanCap), left);
        if (allowed < m + d) {  // split in the shares' ratio; the odd fen to whichever pool has room for it
            uint256 capped = allowed * p.municipalBps / (uint256(p.municipalBps) + p.districtBps);
            d = _min(allowed - capped, d);
            m = allowed - d;
        }
    }

    /// @dev Shares a recovery back (清偿): after recoveries totalling R since the claim, each pool has
    ///      had R * paid / loss back (rounded down), so a full recovery returns exactly what it paid.
    function _shareBack(Claim storage c, uint256 amount, uint32 district) internal returns (uint256 m, uint256 d) {
        c.recoveredAfter += amount;
        m = c.recoveredAfter * c.municipalPaid / c.loss - c.municipalReturned;
        d = c.recoveredAfter * c.districtPaid / c.loss - c.districtReturned;
        c.municipalReturned += m;
        c.districtReturned += d;
        _give(_pools[MUNICIPAL], m);
        _give(_pools[district], d);
    }

    /// @dev The district's interest subsidy on `interest` under `p`: (paid, shortfall).
    function _subsidise(Policy memory p, uint32 district, uint256 interest) internal returns (uint256, uint256) {
        uint256 due = interest * p.subsidyBps / WHOLE;
        uint256 paid = _draw(_pools[district], due);
        return (paid, due - paid);
    }

    function _draw(Pool storage p, uint256 due) private returns (uint256 paid) {
        paid = _min(due, p.balance);
        p.balance -= paid;
        p.paid += paid;
        p.shortfall += due - paid;
    }

    function _give(Pool storage p, uint256 amount) private {
        p.returned += amount;
        p.balance += amount;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev The Gregorian year of Unix time `t` (UTC), by Hinnant's days-to-civil algorithm
    ///      (https://howardhinnant.github.io/date_algorithms.html#civil_from_days).
    function _year(uint256 t) internal pure returns (uint256) {
        uint256 z = t / 86_400 + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        return yoe + era * 400 + (mp >= 10 ? 1 : 0);
    }
}
