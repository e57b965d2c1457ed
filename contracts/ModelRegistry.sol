// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ModelRegistry — which credit models may serve decisions (seeds R1, R10).
/// @notice A model is identified by the SHA-256 of its JSON artifact (its model id). The operator
///         registers it with the hash of its evaluation report; only after a regulator approves it
///         may the oracle decide with it; a regulator retires it. Every change emits an event.
/// @dev No immutables (deployed code must equal the artifact).
contract ModelRegistry {
    enum Status { NONE, REGISTERED, APPROVED, RETIRED }

    struct Model {
        Status status;
        uint64 registeredAt;
        uint64 approvedAt;
        uint64 retiredAt;
        bytes32 reportHash;
        address registeredBy;
        address approvedBy;
    }

    ParticipantRegistry public registry;
    mapping(bytes32 => Model) private _models;
    bytes32[] private _ids;

    error NotAuthorized(address account, ParticipantRegistry.Role role);
    error UnknownModel(bytes32 modelId);
    error AlreadyRegistered(bytes32 modelId);
    error EmptyHash();
    error InvalidTransition(bytes32 modelId, Status from, Status to);

    event ModelRegistered(bytes32 indexed modelId, bytes32 reportHash, address by);
    event ModelApproved(bytes32 indexed modelId, address by);
    event ModelRetired(bytes32 indexed modelId, bytes32 reason, address by);

    modifier only(ParticipantRegistry.Role role) {
        if (!registry.hasRole(msg.sender, role)) revert NotAuthorized(msg.sender, role);
        _;
    }

    constructor(ParticipantRegistry registry_) {
        registry = registry_;
    }

    function register(bytes32 modelId, bytes32 reportHash) external only(ParticipantRegistry.Role.OPERATOR) {
        if (modelId == bytes32(0) || reportHash == bytes32(0)) revert EmptyHash();
        if (_models[modelId].status != Status.NONE) revert AlreadyRegistered(modelId);
        _models[modelId] = Model(Status.REGISTERED, uint64(block.timestamp), 0, 0, reportHash, msg.sender, address(0));
        _ids.push(modelId);
        emit ModelRegistered(modelId, reportHash, msg.sender);
    }

    function approve(bytes32 modelId) external only(ParticipantRegistry.Role.REGULATOR) {
        Model storage m = _existing(modelId);
        if (m.status != Status.REGISTERED) revert InvalidTransition(modelId, m.status, Status.APPROVED);
        m.status = Status.APPROVED;
        m.approvedAt = uint64(block.timestamp);
        m.approvedBy = msg.sender;
        emit ModelApproved(modelId, msg.sender);
    }

    function retire(bytes32 modelId, bytes32 reason) external only(ParticipantRegistry.Role.REGULATOR) {
        Model storage m = _existing(modelId);
        if (m.status == Status.RETIRED) revert InvalidTransition(modelId, m.status, Status.RETIRED);
        m.status = Status.RETIRED;
        m.retiredAt = uint64(block.timestamp);
        emit ModelRetired(modelId, reason, msg.sender);
    }

    /// @notice True only while a regulator's approval stands.
    function isServable(bytes32 modelId) external view returns (bool) {
        return _models[modelId].status == Status.APPROVED;
    }

    function model(bytes32 modelId) external view returns (Model memory) {
        return _existing(modelId);
    }

    function modelCount() external view returns (uint256) {
        return _ids.length;
    }

    function modelAt(uint256 index) external view returns (bytes32) {
        return _ids[index];
    }

    function _existing(bytes32 modelId) private view returns (Model storage m) {
        m = _models[modelId];
        if (m.status == Status.NONE) revert UnknownModel(modelId);
    }
}
